/**
 * The console: who is signed in decides between the sign-in page and the pages behind the shell; the
 * set-up link's page is open to anyone holding the link.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, call, errorText, setSessionToken, type Session } from './api/client.js';
import { may } from './api/roles.js';
import { ErrorMessage, PageTitle, type PageProps } from './components.js';
import { lazyComponent } from './lazy.js';
import { NowPage } from './pages/now.js';
import { PoliciesPage } from './pages/policies.js';
import { SchedulesPage } from './pages/schedules.js';
import { ProfilePage } from './pages/profile.js';
import { SetUpPage } from './pages/setup.js';
import { SignInPage } from './pages/sign-in.js';
import { navigate, usePage } from './router.js';
import { mayBeSignedIn, rememberSignedIn } from './session-hint.js';
import { Shell } from './shell.js';

// No longer the home page, and grown with its filters and bulk actions: loaded when first opened.
const AlertsPage = lazyComponent<PageProps>(() => import('./pages/alerts.js').then((m) => m.AlertsPage));
// Opened in a maintenance window or a storm, not on every visit: loaded when first opened.
const SilencesPage = lazyComponent<PageProps>(() =>
  import('./pages/silences.js').then((m) => m.SilencesPage),
);
const AdminPage = lazyComponent<PageProps>(() => import('./pages/admin.js').then((m) => m.AdminPage));

/**
 * The pages behind the shell, by address; the first is the home page. Later pages join this table. A
 * page with `needs` is in the navigation only for roles that may call that operation.
 */
export const PAGES = [
  { path: 'now', title: 'Now', Page: NowPage },
  { path: 'alerts', title: 'Alerts', Page: AlertsPage },
  { path: 'schedules', title: 'Schedules', Page: SchedulesPage },
  { path: 'policies', title: 'Escalation policies', Page: PoliciesPage },
  { path: 'silences', title: 'Silences', Page: SilencesPage },
  { path: 'profile', title: 'Profile', Page: ProfilePage },
  { path: 'admin', title: 'Admin', Page: AdminPage, needs: 'POST /users' },
] as const;

export function App() {
  const page = usePage();
  // undefined while the first GET /auth/session is in flight.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);

  const signedIn = useCallback((next: Session | null) => {
    setSessionToken(next);
    rememberSignedIn(next !== null);
    setSession(next);
  }, []);
  // Any call answered 401 means the session ended (signed out elsewhere, idle, expired).
  const onFailure = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedIn(null);
    },
    [signedIn],
  );

  useEffect(() => {
    if (!mayBeSignedIn()) return signedIn(null);
    call(api.GET('/auth/session')).then(signedIn, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedIn(null);
      else setFailure(errorText(err));
    });
  }, [signedIn]);

  if (page === 'setup') {
    return (
      <SetUpPage
        onSignedIn={(s) => {
          signedIn(s);
          navigate('', { replace: true });
        }}
      />
    );
  }
  if (session === undefined) {
    return (
      <main id="main" class="narrow">
        {failure ? <PageTitle>Klaxon is unavailable</PageTitle> : <p aria-live="polite">Loading…</p>}
        <ErrorMessage text={failure} />
      </main>
    );
  }
  if (session === null) return <SignInPage onSignedIn={signedIn} />;

  // A page owns the addresses under its own (schedules/<id>).
  const current =
    PAGES.find((p) => p.path === page || page.startsWith(`${p.path}/`)) ??
    (page === '' ? PAGES[0] : undefined);
  return (
    <Shell
      session={session}
      pages={PAGES.filter((p) => !('needs' in p) || may(session.role, p.needs))}
      current={current?.path}
      onSignedOut={() => signedIn(null)}
    >
      {current ? (
        <current.Page session={session} onFailure={onFailure} />
      ) : (
        <>
          <PageTitle>Page not found</PageTitle>
          <p>The console has no page at this address.</p>
        </>
      )}
    </Shell>
  );
}

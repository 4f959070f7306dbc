/**
 * Admin (/console/admin/<section>): users, integrations, heartbeats, SLA targets, API keys and reports, for admins. Loaded
 * lazily (web/app.tsx). Anyone else who opens the address is told they may not; the API refuses them
 * anyway.
 */
import { may } from '../api/roles.js';
import { Link, PageTitle, type PageProps } from '../components.js';
import { usePage } from '../router.js';
import { ApiKeysAdminSection } from './admin-api-keys.js';
import { HeartbeatsSection } from './admin-heartbeats.js';
import { IntegrationsSection } from './admin-integrations.js';
import { ReportsSection } from './admin-reports.js';
import { SlaSection } from './admin-sla.js';
import { UsersSection } from './admin-users.js';

const SECTIONS = [
  { path: 'users', title: 'Users' },
  { path: 'integrations', title: 'Integrations' },
  { path: 'heartbeats', title: 'Heartbeats' },
  { path: 'sla', title: 'SLA targets' },
  { path: 'api-keys', title: 'API keys' },
  { path: 'reports', title: 'Reports' },
] as const;
type SectionPath = (typeof SECTIONS)[number]['path'];

export function AdminPage({ session, onFailure }: PageProps) {
  const page = usePage();
  if (!may(session.role, 'POST /users')) {
    return (
      <>
        <PageTitle>Admin</PageTitle>
        <p role="alert">
          Admin is for admins only. You are signed in as a {session.role}, who may not manage users,
          integrations or SLA targets.
        </p>
      </>
    );
  }
  const asked = page.split('/')[1] ?? '';
  const section = SECTIONS.find((s) => s.path === asked);
  const shown: SectionPath = section?.path ?? 'users';
  return (
    <>
      <PageTitle>Admin</PageTitle>
      <nav aria-label="Admin sections">
        <ul class="subnav">
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <Link to={`admin/${s.path}`} current={s.path === shown}>
                {s.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {shown === 'users' ? (
        <UsersSection session={session} onFailure={onFailure} />
      ) : shown === 'integrations' ? (
        <IntegrationsSection onFailure={onFailure} />
      ) : shown === 'heartbeats' ? (
        <HeartbeatsSection onFailure={onFailure} />
      ) : shown === 'api-keys' ? (
        <ApiKeysAdminSection onFailure={onFailure} />
      ) : shown === 'sla' ? (
        <SlaSection onFailure={onFailure} />
      ) : (
        <ReportsSection onFailure={onFailure} />
      )}
    </>
  );
}

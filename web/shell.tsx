/** The frame around every signed-in page: the product name, the navigation, who is signed in, sign-out. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, call, errorText, type Session } from './api/client.js';
import { ErrorMessage, Link } from './components.js';

export function Shell({
  session,
  pages,
  current,
  onSignedOut,
  children,
}: {
  session: Session;
  pages: readonly { path: string; title: string }[];
  current: string | undefined;
  onSignedOut: () => void;
  children: ComponentChildren;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const signOut = async () => {
    try {
      await call(api.POST('/auth/logout'));
      onSignedOut();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="bar">
        <span class="brand">Klaxon</span>
        <nav aria-label="Main">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <Link to={p.path} current={p.path === current}>
                  {p.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {session.name} <span class="role">({session.role})</span>
          </span>
          <button type="button" class="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ErrorMessage text={failure} />
      <main id="main">{children}</main>
    </>
  );
}

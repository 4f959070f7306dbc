/**
 * The first admin, from the link `npm start` prints on an empty database (/console/setup#<token>): the
 * token stays in the fragment, which the browser never sends anywhere but to POST /auth/setup.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText, type Session } from '../api/client.js';
import { ErrorMessage, PageTitle } from '../components.js';

export function SetUpPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token] = useState(() => window.location.hash.slice(1));
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const field = (name: string) => String(form.get(name));
    if (field('password') !== field('password-again')) {
      setFailure('The two passwords differ.');
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      onSignedIn(
        await call(
          api.POST('/auth/setup', {
            body: { token, name: field('name'), login: field('login'), password: field('password') },
          }),
        ),
      );
    } catch (err) {
      setFailure(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="narrow">
      <PageTitle takeFocus={false}>Set up the first admin</PageTitle>
      {token ? (
        <form class="stack" onSubmit={(e) => void submit(e)}>
          <label for="name">Your name</label>
          <input id="name" name="name" type="text" autocomplete="name" required autofocus />
          <label for="login">Login</label>
          <input
            id="login"
            name="login"
            type="text"
            autocomplete="username"
            required
            aria-describedby="login-hint"
          />
          <p id="login-hint" class="hint">
            What you will sign in with, usually your email address.
          </p>
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={12}
            required
            aria-describedby="password-hint"
          />
          <p id="password-hint" class="hint">
            At least 12 characters.
          </p>
          <label for="password-again">Password again</label>
          <input
            id="password-again"
            name="password-again"
            type="password"
            autocomplete="new-password"
            required
          />
          <ErrorMessage text={failure} />
          <button type="submit" disabled={busy}>
            {busy ? 'Setting up…' : 'Create admin and sign in'}
          </button>
        </form>
      ) : (
        <p>This address has no set-up token. Open the whole link Klaxon printed when it started.</p>
      )}
    </main>
  );
}

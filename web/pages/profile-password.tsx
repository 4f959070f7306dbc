/**
 * Change my password (PUT /auth/password). Offered to whoever has one; someone who signs in only
 * through single sign-on has none to change, and the section says so.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import { ErrorMessage } from '../components.js';

export function PasswordSection({
  hasPassword,
  onFailure,
}: {
  hasPassword: boolean;
  onFailure: (err: unknown) => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const change = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const next = String(form.get('new_password'));
    setNotice('');
    if (next !== String(form.get('repeat_password'))) return setFailure('The new passwords differ.');
    setBusy(true);
    setFailure(null);
    try {
      await call(
        api.PUT('/auth/password', {
          body: { current_password: String(form.get('current_password')), new_password: next },
        }),
      );
      formElement.reset();
      setNotice('Password changed. Your other sessions have ended.');
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="password-heading" class="panel">
      <h2 id="password-heading">Password</h2>
      {hasPassword ? null : (
        <p class="hint">You have no password: you sign in through single sign-on, or an admin sets one.</p>
      )}
      {hasPassword ? (
        <form class="stack" onSubmit={(e) => void change(e)}>
          <label for="current-password">Current password</label>
          <input
            id="current-password"
            name="current_password"
            type="password"
            autocomplete="current-password"
            required
          />
          <label for="new-password">New password</label>
          <input
            id="new-password"
            name="new_password"
            type="password"
            autocomplete="new-password"
            minLength={12}
            required
            aria-describedby="new-password-hint"
          />
          <p class="hint" id="new-password-hint">
            At least 12 characters; a long phrase is best.
          </p>
          <label for="repeat-password">New password again</label>
          <input
            id="repeat-password"
            name="repeat_password"
            type="password"
            autocomplete="new-password"
            required
          />
          <ErrorMessage text={failure} />
          <p class="status" role="status">
            {notice}
          </p>
          <button type="submit" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </form>
      ) : null}
    </section>
  );
}

/**
 * Admin → Users: everyone who can be paged or sign in. Create one (with a password, or for single
 * sign-on only), change a role, set a new password, remove after a confirm. Each form shows its own
 * API error where it was submitted.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ROLES, type Role } from '../api/access.js';
import { api, call, errorText, type Session } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage } from '../components.js';

type User = components['schemas']['User'];

interface SectionProps {
  session: Session;
  onFailure: (err: unknown) => void;
}

/** Runs `action`, returning the error's text (also passed to onFailure) or null when it succeeded. */
async function attempt(
  action: () => Promise<unknown>,
  onFailure: (err: unknown) => void,
): Promise<string | null> {
  try {
    await action();
    return null;
  } catch (err) {
    onFailure(err);
    return errorText(err);
  }
}

function CreateUserForm({
  onCreated,
  onFailure,
}: {
  onCreated: (u: User) => void;
  onFailure: SectionProps['onFailure'];
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [signIn, setSignIn] = useState<'password' | 'sso'>('password');
  // Held here: a re-render (busy, a refusal) must not put the select back to its first option.
  const [role, setRole] = useState<Role>('responder');

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const login = String(form.get('login')).trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    const problem = await attempt(async () => {
      const user = await call(
        api.POST('/users', {
          body: {
            name: String(form.get('name')),
            role,
            // The API's defaults: they set their own zone and contact methods on their profile.
            time_zone: 'UTC',
            contact_methods: [],
            ...(login ? { login } : {}),
            ...(signIn === 'password' ? { password } : {}),
          },
        }),
      );
      formElement.reset();
      setSignIn('password');
      setRole('responder');
      onCreated(user);
    }, onFailure);
    setFailure(problem);
    setBusy(false);
  };

  return (
    <form class="stack panel" aria-labelledby="new-user-heading" onSubmit={(e) => void create(e)}>
      <h3 id="new-user-heading">Add a user</h3>
      <label for="user-name">Name</label>
      <input id="user-name" name="name" type="text" required maxLength={200} />
      <label for="user-login">Login</label>
      <input
        id="user-login"
        name="login"
        type="text"
        autoComplete="off"
        maxLength={254}
        aria-describedby="user-login-hint"
      />
      <p id="user-login-hint" class="hint">
        Usually their email; single sign-on finds them by a verified email equal to it.
      </p>
      <label for="user-role">Role</label>
      <select
        id="user-role"
        name="role"
        value={role}
        onChange={(e) => setRole(e.currentTarget.value as Role)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <fieldset class="choice">
        <legend>Signs in with</legend>
        <label>
          <input
            type="radio"
            name="sign_in"
            value="password"
            checked={signIn === 'password'}
            onChange={() => setSignIn('password')}
          />
          A password
        </label>
        <label>
          <input
            type="radio"
            name="sign_in"
            value="sso"
            checked={signIn === 'sso'}
            onChange={() => setSignIn('sso')}
          />
          Single sign-on only (no password)
        </label>
      </fieldset>
      {signIn === 'password' ? (
        <>
          <label for="user-password">Password</label>
          <input
            id="user-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={256}
            aria-describedby="user-password-hint"
          />
          <p id="user-password-hint" class="hint">
            At least 12 characters. Give it to them in person; they can change it on their profile.
          </p>
        </>
      ) : null}
      <ErrorMessage text={failure} />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add user'}
      </button>
    </form>
  );
}

function UserRow({
  user,
  self,
  onChanged,
  onFailure,
}: {
  user: User;
  self: boolean;
  onChanged: (notice: string) => Promise<void>;
  onFailure: SectionProps['onFailure'];
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [resetting, setResetting] = useState(false);
  // The choice stays while the change is on its way or refused; a reload brings the stored role.
  const [role, setRole] = useState<Role>(user.role);
  useEffect(() => setRole(user.role), [user.role]);
  const [busy, setBusy] = useState(false);
  const id = { params: { path: { id: user.id } } };
  const run = async (action: () => Promise<unknown>, notice: string) => {
    setBusy(true);
    const problem = await attempt(action, onFailure);
    setFailure(problem);
    setBusy(false);
    if (!problem) await onChanged(notice);
    return problem;
  };

  const changeRole = (e: SubmitEvent) => {
    e.preventDefault();
    void run(() => call(api.PATCH('/users/{id}', { ...id, body: { role } })), `${user.name} is now ${role}.`);
  };
  const setPassword = async (e: SubmitEvent) => {
    e.preventDefault();
    const password = String(new FormData(e.currentTarget as HTMLFormElement).get('password'));
    const problem = await run(
      () => call(api.PUT('/users/{id}/password', { ...id, body: { password } })),
      `Set a new password for ${user.name}; their sessions ended.`,
    );
    if (!problem) setResetting(false);
  };
  const remove = () => {
    if (!window.confirm(`Remove ${user.name}? They stop being paged and can no longer sign in.`)) return;
    void run(() => call(api.DELETE('/users/{id}', id)), `Removed ${user.name}.`);
  };

  const label = `user-${user.id}`;
  return (
    <li aria-labelledby={label} class="user-row">
      <p id={label}>
        <strong>{user.name}</strong> <span class="badge">{user.role}</span>{' '}
        <span class="hint-inline">
          {user.login ?? 'no login'} ·{' '}
          {user.has_password ? 'password' : user.login ? 'single sign-on only' : 'cannot sign in'}
          {self ? ' · you' : ''}
        </span>
      </p>
      <form class="inline-form" onSubmit={changeRole}>
        <label for={`${label}-role`}>Role for {user.name}</label>
        <select
          id={`${label}-role`}
          name="role"
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" class="secondary" disabled={busy}>
          Change role
        </button>
      </form>
      <div class="actions">
        {user.login ? (
          <button
            type="button"
            class="secondary"
            aria-expanded={resetting}
            onClick={() => setResetting(!resetting)}
          >
            Reset password
          </button>
        ) : null}
        {self ? null : (
          <button type="button" class="secondary" disabled={busy} onClick={remove}>
            Remove
          </button>
        )}
      </div>
      {resetting ? (
        <form class="inline-form" onSubmit={(e) => void setPassword(e)}>
          <label for={`${label}-password`}>New password for {user.name}</label>
          <input
            id={`${label}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={256}
          />
          <button type="submit" disabled={busy}>
            Set password
          </button>
        </form>
      ) : null}
      <ErrorMessage text={failure} />
    </li>
  );
}

export function UsersSection({ session, onFailure }: SectionProps) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const reload = useCallback(async () => {
    const problem = await attempt(async () => setUsers((await call(api.GET('/users'))).users), onFailure);
    setFailure(problem);
  }, [onFailure]);
  useEffect(() => void reload(), [reload]);

  const changed = async (text: string) => {
    setNotice(text);
    await reload();
  };

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <p class="hint">
        With single sign-on, the provider's groups set a person's role again each time they sign in.
      </p>
      <ErrorMessage text={failure} />
      <p class="status" role="status">
        {notice}
      </p>
      {users === null ? (
        <p>Loading users…</p>
      ) : users.length === 0 ? (
        <p>No users yet.</p>
      ) : (
        <ul class="plain-list users">
          {users.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              self={u.id === session.user?.id}
              onChanged={changed}
              onFailure={onFailure}
            />
          ))}
        </ul>
      )}
      <CreateUserForm onCreated={(u) => void changed(`Added ${u.name}.`)} onFailure={onFailure} />
    </section>
  );
}

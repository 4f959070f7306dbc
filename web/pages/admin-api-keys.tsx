/**
 * Admin → API keys: every key, the install's and each person's (with whose it is), revoke any after a
 * confirm, and create an install key (a machine's: no owner), shown once. A person's own keys are
 * made on their Profile.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import { ROLES } from '../api/access.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, useReloadable } from '../components.js';
import { relativeTime } from '../relative-time.js';
import { NewKey } from './profile-api-keys.js';

type ApiKey = components['schemas']['ApiKey'];
type NewApiKey = components['schemas']['NewApiKey'];
type Role = ApiKey['role'];

/** Every key, and the names of the people they belong to. */
async function loadKeys(): Promise<{ keys: ApiKey[]; owners: Map<string, string> }> {
  const [all, users] = await Promise.all([call(api.GET('/api-keys')), call(api.GET('/users'))]);
  return { keys: all.api_keys, owners: new Map(users.users.map((u) => [u.id, u.name])) };
}

export function ApiKeysAdminSection({ onFailure }: { onFailure: (err: unknown) => void }) {
  const [created, setCreated] = useState<NewApiKey | null>(null);
  // Held here: a re-render (busy, a refusal) must not put the select back to its first option.
  const [role, setRole] = useState<Role>('responder');
  const [formFailure, setFormFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const { data, failure, setFailure, reload } = useReloadable(loadKeys, onFailure);
  const keys = data?.keys ?? null;
  const owners = data?.owners ?? new Map<string, string>();

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    setBusy(true);
    setFormFailure(null);
    try {
      const key = await call(
        api.POST('/api-keys', { body: { name: String(new FormData(formElement).get('name')), role } }),
      );
      formElement.reset();
      setCreated(key);
      setNotice('');
      await reload();
    } catch (err) {
      setFormFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const whose = (k: ApiKey) => (k.user_id ? (owners.get(k.user_id) ?? 'a removed user') : 'the install');

  const revoke = async (k: ApiKey) => {
    if (!window.confirm(`Revoke the key “${k.name}” (${whose(k)})? Anything using it stops working at once.`))
      return;
    try {
      await call(api.DELETE('/api-keys/{id}', { params: { path: { id: k.id } } }));
      setNotice(`Revoked ${k.name}.`);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  const now = Date.now();
  const active = keys?.filter((k) => k.revoked_at === null) ?? [];
  return (
    <section aria-labelledby="admin-keys-heading">
      <h2 id="admin-keys-heading">API keys</h2>
      <p class="hint">
        Every active key: the install's (for machines) and each person's own (made on their Profile, never
        above their role).
      </p>
      <ErrorMessage text={failure} />
      <p class="status" role="status">
        {notice}
      </p>
      {created ? <NewKey created={created} whose="New install key" onDone={() => setCreated(null)} /> : null}
      {keys === null ? (
        <p>Loading keys…</p>
      ) : active.length === 0 ? (
        <p>No active keys.</p>
      ) : (
        <ul class="plain-list keys">
          {active.map((k) => (
            <li key={k.id}>
              <span id={`admin-key-${k.id}`}>
                <strong>{k.name}</strong> <span class="badge">{k.role}</span>{' '}
                <span class="hint-inline">
                  {whose(k)} · <code>{k.prefix}…</code> ·{' '}
                  {k.last_used_at
                    ? `last used ${relativeTime(Date.parse(k.last_used_at), now)}`
                    : 'never used'}
                </span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-describedby={`admin-key-${k.id}`}
                onClick={() => void revoke(k)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack panel" aria-labelledby="new-install-key-heading" onSubmit={(e) => void create(e)}>
        <h3 id="new-install-key-heading">Create an install key</h3>
        <label for="install-key-name">Key name</label>
        <input id="install-key-name" name="name" type="text" required maxLength={200} />
        <label for="install-key-role">Key role</label>
        <select id="install-key-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <ErrorMessage text={formFailure} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  );
}

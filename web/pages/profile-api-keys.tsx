/**
 * My personal API keys: create one with a role at most mine (only those are offered; the server
 * refuses others anyway), see the new key exactly once with a copy button, revoke after a confirm.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, call, errorText, type Session } from '../api/client.js';
import { ROLES } from '../api/access.js';
import type { components } from '../api/schema.js';
import { ErrorMessage } from '../components.js';

type ApiKey = components['schemas']['ApiKey'];
type NewApiKey = components['schemas']['NewApiKey'];

/** A key just created, shown this once with a copy button (here and in Admin → API keys). */
export function NewKey({
  created,
  onDone,
  whose = 'Your new key',
}: {
  created: NewApiKey;
  onDone: () => void;
  whose?: string;
}) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('Copied.');
    } catch {
      // The clipboard is refused outside a secure context: select the text to copy by hand.
      (document.getElementById('new-key') as HTMLInputElement | null)?.select();
      setCopied('Selected: copy it with your keyboard.');
    }
  };
  return (
    <div class="new-key" role="group" aria-labelledby="new-key-label">
      <label id="new-key-label" for="new-key">
        {whose} “{created.name}” ({created.role})
      </label>
      <input id="new-key" type="text" readOnly value={created.key} aria-describedby="new-key-warning" />
      <p id="new-key-warning" class="warning">
        Copy it now: you will not see it again. Klaxon keeps only its digest.
      </p>
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          I have copied it
        </button>
      </div>
      <p class="status" role="status">
        {copied}
      </p>
    </div>
  );
}

export function ApiKeysSection({
  session,
  onFailure,
}: {
  session: Session;
  onFailure: (err: unknown) => void;
}) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const offered = ROLES.slice(0, ROLES.indexOf(session.role) + 1);

  const reload = useCallback(async () => {
    try {
      setKeys((await call(api.GET('/me/api-keys'))).api_keys);
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [onFailure]);
  useEffect(() => void reload(), [reload]);

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    setBusy(true);
    setFailure(null);
    try {
      const key = await call(
        api.POST('/me/api-keys', {
          body: { name: String(form.get('name')), role: String(form.get('role')) as ApiKey['role'] },
        }),
      );
      formElement.reset();
      setCreated(key);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    if (!window.confirm(`Revoke the key “${key.name}”? Anything using it stops working at once.`)) return;
    setFailure(null);
    try {
      await call(api.DELETE('/me/api-keys/{id}', { params: { path: { id: key.id } } }));
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  const active = keys?.filter((k) => k.revoked_at === null) ?? [];
  return (
    <section aria-labelledby="keys-heading" class="panel">
      <h2 id="keys-heading">My API keys</h2>
      <p class="hint">For scripts acting as you, never above your role ({session.role}).</p>
      <ErrorMessage text={failure} />
      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
      {keys === null ? (
        <p>Loading keys…</p>
      ) : active.length === 0 ? (
        <p>You have no active keys.</p>
      ) : (
        <ul class="keys">
          {active.map((k) => (
            <li key={k.id}>
              <span id={`key-${k.id}`}>
                <strong>{k.name}</strong> <span class="badge">{k.role}</span> <code>{k.prefix}…</code>
                <span class="hint">
                  {' '}
                  {k.last_used_at ? `last used ${new Date(k.last_used_at).toLocaleString()}` : 'never used'}
                </span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-describedby={`key-${k.id}`}
                onClick={() => void revoke(k)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack" aria-labelledby="new-key-heading" onSubmit={(e) => void create(e)}>
        <h3 id="new-key-heading">Create a key</h3>
        <label for="key-name">Key name</label>
        <input id="key-name" name="name" type="text" required maxLength={200} />
        <label for="key-role">Key role</label>
        <select id="key-role" name="role" value={offered[0]}>
          {offered.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  );
}

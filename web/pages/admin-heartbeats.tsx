/**
 * Admin → Heartbeats: monitors for jobs that should run and might silently not. Create one (its key is
 * in the answer once: shown with its ping address and cron lines built from it), see each one's state
 * and last ping, delete after a confirm (its open alert is resolved).
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, useReloadable } from '../components.js';
import { heartbeatSnippets, heartbeatUrl } from '../ingest-snippets.js';
import { relativeTime } from '../relative-time.js';
import { CopyButton, SnippetBlock } from './copy-text.js';

type Heartbeat = components['schemas']['Heartbeat'];
type CreatedHeartbeat = components['schemas']['CreatedHeartbeat'];
type Severity = Heartbeat['severity'];
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

const STATE_TEXT: Record<Heartbeat['state'], string> = {
  waiting: 'waiting for its first ping',
  up: 'up',
  overdue: 'overdue: its alert is open',
};

const minutes = (seconds: number) => `${Math.round((seconds / 60) * 10) / 10} min`;

function NewHeartbeat({ created, onDone }: { created: CreatedHeartbeat; onDone: () => void }) {
  return (
    <div class="new-key" role="group" aria-labelledby="heartbeat-url-label">
      <label id="heartbeat-url-label" for="heartbeat-url">
        Ping address for “{created.name}”
      </label>
      <input
        id="heartbeat-url"
        type="text"
        readOnly
        value={heartbeatUrl(window.location.origin, created.key)}
        aria-describedby="heartbeat-url-warning"
      />
      <p id="heartbeat-url-warning" class="warning">
        Copy it now: you will not see its key again. Klaxon keeps only its digest.
      </p>
      <CopyButton targetId="heartbeat-url" label="Copy ping address" />
      <h3>Set it up</h3>
      {heartbeatSnippets(window.location.origin, created.key, created.interval_seconds).map((s, i) => (
        <SnippetBlock key={s.title} snippet={s} index={i} />
      ))}
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

const loadHeartbeats = async () => (await call(api.GET('/heartbeats'))).heartbeats;

export function HeartbeatsSection({ onFailure }: { onFailure: (err: unknown) => void }) {
  const [created, setCreated] = useState<CreatedHeartbeat | null>(null);
  // Held here: a re-render (busy, a refusal) must not put the select back to its first option.
  const [severity, setSeverity] = useState<Severity>('high');
  const [formFailure, setFormFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const { data: heartbeats, failure, setFailure, reload } = useReloadable(loadHeartbeats, onFailure);

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const grace = String(form.get('grace')).trim();
    setBusy(true);
    setFormFailure(null);
    try {
      const monitor = await call(
        api.POST('/heartbeats', {
          body: {
            name: String(form.get('name')),
            service: String(form.get('service')),
            severity,
            interval_seconds: Math.round(Number(form.get('interval')) * 60),
            ...(grace ? { grace_seconds: Math.round(Number(grace) * 60) } : {}),
          },
        }),
      );
      formElement.reset();
      setCreated(monitor);
      setNotice('');
      await reload();
    } catch (err) {
      setFormFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (m: Heartbeat) => {
    if (
      !window.confirm(
        `Delete the heartbeat “${m.name}”? Its key stops working and its open alert is resolved.`,
      )
    )
      return;
    try {
      await call(api.DELETE('/heartbeats/{id}', { params: { path: { id: m.id } } }));
      setNotice(`Deleted ${m.name}.`);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  const now = Date.now();
  return (
    <section aria-labelledby="heartbeats-heading">
      <h2 id="heartbeats-heading">Heartbeats</h2>
      <p class="hint">
        A job pings its address every interval; a ping overdue by the grace period opens an alert, and the
        next ping resolves it.
      </p>
      <ErrorMessage text={failure} />
      <p class="status" role="status">
        {notice}
      </p>
      {created ? <NewHeartbeat created={created} onDone={() => setCreated(null)} /> : null}
      {heartbeats === null ? (
        <p>Loading heartbeats…</p>
      ) : heartbeats.length === 0 ? (
        <p>No heartbeat monitors yet.</p>
      ) : (
        <ul class="plain-list keys">
          {heartbeats.map((m) => (
            <li key={m.id}>
              <span id={`heartbeat-${m.id}`}>
                <strong>{m.name}</strong>{' '}
                <span class={`badge heartbeat-${m.state}`}>{STATE_TEXT[m.state]}</span>{' '}
                <span class="hint-inline">
                  service {m.service} · {m.severity} · every {minutes(m.interval_seconds)}, grace{' '}
                  {minutes(m.grace_seconds)} · last ping{' '}
                  {m.last_ping_at ? relativeTime(Date.parse(m.last_ping_at), now) : 'never'} · key{' '}
                  <code>{m.key_prefix}…</code>
                </span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-describedby={`heartbeat-${m.id}`}
                onClick={() => void remove(m)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack panel" aria-labelledby="new-heartbeat-heading" onSubmit={(e) => void create(e)}>
        <h3 id="new-heartbeat-heading">Add a heartbeat</h3>
        <label for="heartbeat-name">Heartbeat name</label>
        <input id="heartbeat-name" name="name" type="text" required maxLength={200} />
        <label for="heartbeat-service">Service</label>
        <input id="heartbeat-service" name="service" type="text" required maxLength={200} />
        <label for="heartbeat-severity">Severity of its alert</label>
        <select
          id="heartbeat-severity"
          name="severity"
          value={severity}
          onChange={(e) => setSeverity(e.currentTarget.value as Severity)}
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label for="heartbeat-interval">Expected every (minutes)</label>
        <input id="heartbeat-interval" name="interval" type="number" required min="1" step="any" />
        <label for="heartbeat-grace">Grace (minutes, optional)</label>
        <input
          id="heartbeat-grace"
          name="grace"
          type="number"
          min="0"
          step="any"
          aria-describedby="heartbeat-grace-hint"
        />
        <p id="heartbeat-grace-hint" class="hint">
          How late a ping may be before the alert opens; empty: a tenth of the interval, at least a minute.
        </p>
        <ErrorMessage text={formFailure} />
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add heartbeat'}
        </button>
      </form>
    </section>
  );
}

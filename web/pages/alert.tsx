/**
 * One alert's page (alerts/<id>): what it is (summary, severity, service, state, labels, details,
 * links), where its escalation and SLA stand, its timeline, the pages sent and the notes, and the
 * actions its state allows. Refreshed every few seconds while the tab is visible.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { ApiError, api, call, errorText } from '../api/client.js';
import type { Operation } from '../api/access.js';
import { may } from '../api/roles.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, type PageProps } from '../components.js';
import { usePolling } from '../polling.js';
import { silenceSimilarPath } from '../silence-draft.js';
import { AddNote, AlertActions } from './alert-actions.js';
import { AlertLive } from './alert-live.js';
import { AlertTimeline, NotesList, PagesSent } from './alert-timeline.js';
import { When } from './alert-when.js';

type AlertDetail = components['schemas']['AlertDetail'];

const REFRESH_MS = 4_000;

/** Only web addresses become links: a stored link is shown, never run. */
const isWebLink = (href: string) => /^https?:\/\//i.test(href);

export function AlertPage({ id, session, onFailure }: PageProps & { id: string }) {
  const [alert, setAlert] = useState<AlertDetail | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  // No such alert: polling stops asking.
  const gone = useRef(false);
  // An answer to an earlier refresh must not overwrite a newer one (an action refreshes mid-poll).
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    if (gone.current) return;
    const mine = ++generation.current;
    try {
      const answer = await call(api.GET('/alerts/{id}', { params: { path: { id } } }));
      if (mine !== generation.current) return;
      setAlert(answer);
      setUpdatedAt(Date.now());
      setFailure(null);
    } catch (err) {
      if (mine !== generation.current) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
        gone.current = true;
        setMissing(true);
      }
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [id, onFailure]);
  usePolling(refresh, REFRESH_MS);

  const back = (
    <p class="crumb">
      <Link to="alerts">← Alerts</Link>
    </p>
  );
  if (!alert) {
    return (
      <>
        {back}
        <PageTitle>{missing ? 'Alert not found' : 'Alert'}</PageTitle>
        <ErrorMessage text={failure} />
        {failure ? null : <p>Loading the alert…</p>}
      </>
    );
  }

  const now = updatedAt ?? Date.now();
  const links = alert.links.filter((l) => isWebLink(l.href));
  const labels = Object.entries(alert.labels);
  const details = Object.entries(alert.details);
  const handlers = { alert, session, onChanged: refresh, onFailure };
  return (
    <div class={`alert-page severity-${alert.severity}`}>
      {back}
      <PageTitle>{alert.summary}</PageTitle>
      <p class="facts">
        <span class={`badge severity-${alert.severity}`}>{alert.severity}</span>{' '}
        <span class={`badge state-${alert.state}`}>{alert.state}</span> <span>{alert.service}</span>
        <span> · from {alert.source}</span>
        {alert.occurrences > 1 ? <span> · {alert.occurrences} times</span> : null}
      </p>
      <p class="facts">
        Triggered <When at={alert.triggered_at} now={now} />
        {alert.occurrences > 1 ? (
          <>
            ; last seen <When at={alert.last_seen_at} now={now} />
          </>
        ) : null}
      </p>
      <ErrorMessage text={failure} />
      <AlertActions {...handlers} />
      {may(session.role, 'POST /silences' satisfies Operation) ? (
        <p>
          <Link to={silenceSimilarPath(alert.service)}>Silence similar alerts</Link>{' '}
          <span class="hint-inline">(a new silence on service {alert.service})</span>
        </p>
      ) : null}
      <AlertLive alert={alert} now={now} />

      <section aria-labelledby="about-heading">
        <h2 id="about-heading">About</h2>
        <dl class="facts-list">
          <dt>Escalation policy</dt>
          <dd>{alert.policy ? (alert.policy.name ?? 'a removed policy') : 'none'}</dd>
          <dt>Dedup key</dt>
          <dd class="address">{alert.dedup_key}</dd>
        </dl>
        {labels.length > 0 ? (
          <>
            <h3>Labels</h3>
            <dl class="facts-list">
              {labels.map(([k, v]) => (
                <FactRow key={`label-${k}`} name={k} value={v} />
              ))}
            </dl>
          </>
        ) : null}
        {details.length > 0 ? (
          <>
            <h3>Details</h3>
            <dl class="facts-list">
              {details.map(([k, v]) => (
                <FactRow key={`detail-${k}`} name={k} value={typeof v === 'string' ? v : JSON.stringify(v)} />
              ))}
            </dl>
          </>
        ) : null}
        {links.length > 0 ? (
          <>
            <h3>Links</h3>
            <ul class="plain-list">
              {links.map((l) => (
                <li key={l.href}>
                  <a href={l.href} rel="noopener noreferrer">
                    {l.text ?? l.href}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>

      <AlertTimeline alert={alert} now={now} />
      <PagesSent alert={alert} now={now} />
      <section aria-labelledby="notes-heading">
        <h2 id="notes-heading">Notes</h2>
        <NotesList alert={alert} now={now} />
        <AddNote {...handlers} />
      </section>
      <p class="updated">
        {updatedAt ? `Updated ${new Date(updatedAt).toLocaleTimeString()}; refreshes every few seconds.` : ''}
      </p>
    </div>
  );
}

function FactRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd class="address">{value}</dd>
    </>
  );
}

/**
 * Alerts: the open ones by default, newest first, refreshed every few seconds while the tab is visible,
 * with the actions the signed-in role and each alert's state allow.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { decideTransition, OPEN_ALERT_STATES, type TransitionAction } from '../../domain/lifecycle.js';
import { api, call, errorText, type Alert } from '../api/client.js';
import type { Operation } from '../api/access.js';
import { may } from '../api/roles.js';
import { ErrorMessage, Link, PageTitle, type PageProps } from '../components.js';
import { lazyComponent } from '../lazy.js';
import { usePage } from '../router.js';

const AlertPage = lazyComponent(() => import('./alert.js').then((m) => m.AlertPage));

const REFRESH_MS = 4_000;
const STATE_FILTERS = ['open', ...OPEN_ALERT_STATES, 'resolved'] as const;
type StateFilter = (typeof STATE_FILTERS)[number];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
type Severity = (typeof SEVERITIES)[number];

/** The list buttons, in order: what each does and the operation it calls. */
const ACTIONS = [
  { action: 'acknowledge', label: 'Acknowledge', done: 'Acknowledged' },
  { action: 'resolve', label: 'Resolve', done: 'Resolved' },
] as const satisfies readonly { action: TransitionAction; label: string; done: string }[];

/** Returns the alerts a filter shows, newest first ("open" is the three open states together). */
async function loadAlerts(state: StateFilter, severity: Severity | ''): Promise<Alert[]> {
  const filter = state === 'open' ? { open: 'true' as const } : { state };
  const page = await call(
    api.GET('/alerts', { params: { query: { ...filter, limit: 100, ...(severity ? { severity } : {}) } } }),
  );
  return page.alerts;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago": the largest unit that fits. */
function ago(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(s) >= size) return relative.format(Math.trunc(s / size), unit);
  return relative.format(s, 'second');
}

/** The list, or one alert's page at alerts/<id>. */
export function AlertsPage(props: PageProps) {
  const id = usePage().split('/')[1];
  return id ? <AlertPage key={id} id={id} {...props} /> : <AlertList {...props} />;
}

function AlertList({ session, onFailure }: PageProps) {
  const [state, setState] = useState<StateFilter>('open');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  // Answers to an older filter or an earlier refresh must not overwrite a newer one.
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const list = await loadAlerts(state, severity);
      if (mine !== generation.current) return;
      setAlerts(list);
      setUpdatedAt(Date.now());
      setFailure(null);
    } catch (err) {
      if (mine !== generation.current) return;
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [state, severity, onFailure]);

  // Polls while the tab is visible; a tab coming back refreshes at once.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const loop = async () => {
      if (!document.hidden) await refresh();
      if (!stopped) timer = setTimeout(() => void loop(), REFRESH_MS);
    };
    void loop();
    const onVisible = () => {
      if (!document.hidden) void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);

  const act = async (alert: Alert, { action, done }: (typeof ACTIONS)[number]) => {
    setBusy(alert.id);
    setNotice('');
    try {
      const answer = await call(
        api.POST(`/alerts/{id}/${action}`, { params: { path: { id: alert.id } }, body: {} }),
      );
      setNotice(
        'queued' in answer
          ? `${done} “${alert.summary}”: queued, it applies when a worker runs the alert.`
          : `${done} “${alert.summary}”.`,
      );
      setFailure(null);
      await refresh();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(null);
    }
  };

  const now = updatedAt ?? Date.now();
  return (
    <>
      <PageTitle>Alerts</PageTitle>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="state-filter">State</label>
          <select
            id="state-filter"
            value={state}
            onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value as StateFilter)}
          >
            {STATE_FILTERS.map((s) => (
              <option key={s} value={s}>
                {s === 'open' ? 'open (not resolved)' : s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="severity-filter">Severity</label>
          <select
            id="severity-filter"
            value={severity}
            onChange={(e) => setSeverity((e.currentTarget as HTMLSelectElement).value as Severity | '')}
          >
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <p class="status" role="status">
        {notice}
      </p>
      <ErrorMessage text={failure} />
      {alerts === null ? (
        <p>Loading alerts…</p>
      ) : alerts.length === 0 ? (
        <p>No alerts match.</p>
      ) : (
        <ul class="alerts" aria-label={`${alerts.length} alerts`}>
          {alerts.map((alert) => {
            const actions = ACTIONS.filter(
              (a) =>
                may(session.role, `POST /alerts/{id}/${a.action}` satisfies Operation) &&
                decideTransition(alert.state, a.action).ok,
            );
            return (
              <li key={alert.id} class={`alert severity-${alert.severity}`}>
                <h2 id={`alert-${alert.id}`}>
                  <Link to={`alerts/${alert.id}`}>{alert.summary}</Link>
                </h2>
                <p class="facts">
                  <span class={`badge severity-${alert.severity}`}>{alert.severity}</span>{' '}
                  <span class={`badge state-${alert.state}`}>{alert.state}</span> <span>{alert.service}</span>
                  <span>
                    {' · '}triggered <time dateTime={alert.triggered_at}>{ago(alert.triggered_at, now)}</time>
                  </span>
                  {alert.occurrences > 1 ? <span> · {alert.occurrences} times</span> : null}
                </p>
                {actions.length > 0 ? (
                  <div class="actions">
                    {actions.map((a) => (
                      <button
                        key={a.action}
                        type="button"
                        aria-describedby={`alert-${alert.id}`}
                        disabled={busy === alert.id}
                        onClick={() => void act(alert, a)}
                      >
                        {a.label}
                      </button>
                    ))}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <p class="updated">
        {updatedAt ? `Updated ${new Date(updatedAt).toLocaleTimeString()}; refreshes every few seconds.` : ''}
      </p>
    </>
  );
}

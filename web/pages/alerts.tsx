/**
 * Alerts: the open ones by default, newest first, narrowed by state, severity, service and a time range
 * kept in the address (so a filtered view can be bookmarked), refreshed every few seconds while the tab
 * is visible, "Load more" for older ones, and the actions the signed-in role and each alert's state
 * allow, one by one or for a selection.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { decideTransition, type TransitionAction } from '../../domain/lifecycle.js';
import { api, call, errorText, type Alert } from '../api/client.js';
import type { Operation } from '../api/access.js';
import { may } from '../api/roles.js';
import { alertsQuery, filtersFromQuery, filtersToQuery, type AlertFilters } from '../alert-filters.js';
import { selectedShown } from '../bulk.js';
import { ErrorMessage, Link, PageTitle, type PageProps } from '../components.js';
import { idempotencyKey } from '../idempotency.js';
import { lazyComponent } from '../lazy.js';
import { usePolling } from '../polling.js';
import { relativeTime } from '../relative-time.js';
import { BASE, usePage } from '../router.js';
import { BulkBar } from './alerts-bulk.js';
import { FilterForm } from './alerts-filters.js';

const AlertPage = lazyComponent(() => import('./alert.js').then((m) => m.AlertPage));

const REFRESH_MS = 4_000;
const PAGE_SIZE = 50;
/** The most one GET /alerts answers: a refresh reloads what is shown, up to this. */
const MAX_LIMIT = 500;

/** The list buttons, in order: what each does and the operation it calls. */
const ACTIONS = [
  { action: 'acknowledge', label: 'Acknowledge', done: 'Acknowledged' },
  { action: 'resolve', label: 'Resolve', done: 'Resolved' },
] as const satisfies readonly { action: TransitionAction; label: string; done: string }[];

/** The list, or one alert's page at alerts/<id>. */
export function AlertsPage(props: PageProps) {
  const id = usePage().split('/')[1];
  return id ? <AlertPage key={id} id={id} {...props} /> : <AlertList {...props} />;
}

function AlertList({ session, onFailure }: PageProps) {
  const [filters, setFilters] = useState<AlertFilters>(() => filtersFromQuery(window.location.search));
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // How many alerts a refresh reloads: a page, or more once "Load more" showed more.
  const shown = useRef(PAGE_SIZE);
  // Answers to an older filter or an earlier refresh must not overwrite a newer one.
  const generation = useRef(0);
  const mayBulk = may(session.role, 'POST /alerts/{id}/acknowledge' satisfies Operation);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, shown.current));
      const page = await call(api.GET('/alerts', { params: { query: { ...alertsQuery(filters), limit } } }));
      if (mine !== generation.current) return;
      setAlerts(page.alerts);
      setNextCursor(page.next_cursor);
      setUpdatedAt(Date.now());
      setFailure(null);
    } catch (err) {
      if (mine !== generation.current) return;
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [filters, onFailure]);

  usePolling(refresh, REFRESH_MS);

  const applyFilters = (next: AlertFilters) => {
    window.history.replaceState(null, '', `${BASE}/alerts${filtersToQuery(next)}`);
    shown.current = PAGE_SIZE;
    setAlerts(null);
    setFilters(next);
  };

  const loadMore = async () => {
    if (!nextCursor || !alerts) return;
    const mine = ++generation.current;
    try {
      const query = { ...alertsQuery(filters), limit: PAGE_SIZE, cursor: nextCursor };
      const page = await call(api.GET('/alerts', { params: { query } }));
      if (mine !== generation.current) return;
      const known = new Set(alerts.map((a) => a.id));
      const more = [...alerts, ...page.alerts.filter((a) => !known.has(a.id))];
      shown.current = more.length;
      setAlerts(more);
      setNextCursor(page.next_cursor);
    } catch (err) {
      if (mine !== generation.current) return;
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  const act = async (alert: Alert, { action, done }: (typeof ACTIONS)[number]) => {
    setBusy(alert.id);
    setNotice('');
    try {
      const answer = await call(
        api.POST(`/alerts/{id}/${action}`, {
          params: { path: { id: alert.id } },
          body: {},
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
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

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const chosenIds = alerts ? selectedShown(alerts, selected) : [];
  const chosen = alerts?.filter((a) => chosenIds.includes(a.id)) ?? [];
  const allShown = alerts !== null && alerts.length > 0 && chosen.length === alerts.length;

  const now = updatedAt ?? Date.now();
  return (
    <>
      <PageTitle>Alerts</PageTitle>
      <FilterForm filters={filters} onChange={applyFilters} />
      <p class="status" role="status">
        {notice}
      </p>
      <ErrorMessage text={failure} />
      {mayBulk && alerts !== null && alerts.length > 0 ? (
        <>
          <label class="select-all">
            <input
              type="checkbox"
              checked={allShown}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                const next = new Set(selected);
                for (const a of alerts) {
                  if (on) next.add(a.id);
                  else next.delete(a.id);
                }
                setSelected(next);
              }}
            />{' '}
            Select all shown
          </label>
          <BulkBar
            chosen={chosen}
            selected={selected}
            onSelected={setSelected}
            onDone={refresh}
            onFailure={onFailure}
          />
        </>
      ) : null}
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
                <div class="alert-head">
                  {mayBulk ? (
                    <input
                      type="checkbox"
                      class="alert-select"
                      aria-label={`Select “${alert.summary}”`}
                      checked={selected.has(alert.id)}
                      onChange={(e) => toggle(alert.id, (e.currentTarget as HTMLInputElement).checked)}
                    />
                  ) : null}
                  <h2 id={`alert-${alert.id}`}>
                    <Link to={`alerts/${alert.id}`}>{alert.summary}</Link>
                  </h2>
                </div>
                <p class="facts">
                  <span class={`badge severity-${alert.severity}`}>{alert.severity}</span>{' '}
                  <span class={`badge state-${alert.state}`}>{alert.state}</span> <span>{alert.service}</span>
                  <span>
                    {' · '}triggered{' '}
                    <time dateTime={alert.triggered_at}>
                      {relativeTime(Date.parse(alert.triggered_at), now)}
                    </time>
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
      {nextCursor && alerts ? (
        <p>
          <button type="button" class="secondary" onClick={() => void loadMore()}>
            Load more
          </button>
        </p>
      ) : null}
      <p class="updated">
        {updatedAt ? `Updated ${new Date(updatedAt).toLocaleTimeString()}; refreshes every few seconds.` : ''}
      </p>
    </>
  );
}

/**
 * Now, the home page: the open alerts that paged me, who is on call on every schedule and who takes
 * over next (and when), and my own coming shifts. Alerts refresh every few seconds while the tab is
 * visible; who is on call, every minute.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { api, call, errorText, type Alert } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, type PageProps } from '../components.js';
import { myStretches, nextHandoff, onCallAt, type MyStretch } from '../on-call-now.js';
import { usePolling } from '../polling.js';
import { relativeTime } from '../relative-time.js';
import { dateTimeLabel, viewerZone } from '../zoned-time.js';

type User = components['schemas']['User'];

const ALERTS_EVERY_MS = 4_000;
const ON_CALL_EVERY_MS = 60_000;
/** How far ahead the next handoff and my shifts are looked for. */
const AHEAD_DAYS = 14;
const DAY = 86_400_000;
/** How far the server's clock may run ahead of the browser's: it cuts my running shift at its now. */
const CLOCK_SLACK_MS = 60_000;

interface ScheduleNow {
  id: string;
  name: string;
  onCall: string[];
  next: { at: number; userIds: string[] } | null;
}

interface OnCallView {
  at: number;
  schedules: ScheduleNow[];
  names: Map<string, string>;
  mine: MyStretch[];
}

/** Returns every schedule's people on call at `now` and its next handoff, and my stretches on call. */
async function loadOnCall(me: string | null, now: number): Promise<OnCallView> {
  const until = now + AHEAD_DAYS * DAY;
  const range = { from: new Date(now).toISOString(), to: new Date(until).toISOString() };
  const [schedules, users, mine] = await Promise.all([
    call(api.GET('/schedules')),
    call(api.GET('/users')),
    me
      ? call(api.GET('/users/{id}/on-call', { params: { path: { id: me }, query: { days: AHEAD_DAYS } } }))
      : Promise.resolve({ shifts: [] }),
  ]);
  const perSchedule = await Promise.all(
    schedules.schedules.map(async (s): Promise<ScheduleNow> => {
      const { shifts } = await call(
        api.GET('/schedules/{id}/shifts', { params: { path: { id: s.id }, query: range } }),
      );
      return { id: s.id, name: s.name, onCall: onCallAt(shifts, now), next: nextHandoff(shifts, now, until) };
    }),
  );
  return {
    at: now,
    schedules: perSchedule,
    names: new Map(users.users.map((u: User) => [u.id, u.name])),
    mine: myStretches(mine.shifts, Date.now(), 5, CLOCK_SLACK_MS),
  };
}

/** Returns "Thu 3 Dec, 09:00 CET (in 3 hr.)": the time in the viewer's zone and how far off it is. */
function when(ms: number, now: number): string {
  return `${dateTimeLabel(ms, viewerZone())} (${relativeTime(ms, now)})`;
}

export function NowPage({ session, onFailure }: PageProps) {
  const me = session.user?.id ?? null;
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [view, setView] = useState<OnCallView | null>(null);
  const [alertsFailure, setAlertsFailure] = useState<string | null>(null);
  const [onCallFailure, setOnCallFailure] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  // An answer to an earlier poll must not overwrite a newer one.
  const alertsRun = useRef(0);

  const refreshAlerts = useCallback(async () => {
    if (!me) return;
    const mine = ++alertsRun.current;
    try {
      const page = await call(
        api.GET('/alerts', { params: { query: { open: 'true', paged_user: me, limit: 50 } } }),
      );
      if (mine !== alertsRun.current) return;
      setAlerts(page.alerts);
      setNow(Date.now());
      setAlertsFailure(null);
    } catch (err) {
      if (mine !== alertsRun.current) return;
      setAlertsFailure(errorText(err));
      onFailure(err);
    }
  }, [me, onFailure]);

  const refreshOnCall = useCallback(async () => {
    try {
      setView(await loadOnCall(me, Date.now()));
      setOnCallFailure(null);
    } catch (err) {
      setOnCallFailure(errorText(err));
      onFailure(err);
    }
  }, [me, onFailure]);

  usePolling(refreshAlerts, ALERTS_EVERY_MS);
  usePolling(refreshOnCall, ON_CALL_EVERY_MS);

  const nameOf = (id: string) => view?.names.get(id) ?? 'someone no longer in the directory';
  const people = (ids: string[]) => (ids.length === 0 ? 'nobody' : ids.map(nameOf).join(', '));

  return (
    <>
      <PageTitle>Now</PageTitle>
      <section class="now-section" aria-labelledby="now-paging">
        <h2 id="now-paging">Open alerts paging you</h2>
        <ErrorMessage text={alertsFailure} />
        {!me ? (
          <p>Signed in with an API key: no person to page.</p>
        ) : alerts === null ? (
          alertsFailure ? null : (
            <p>Loading alerts…</p>
          )
        ) : alerts.length === 0 ? (
          <p>No open alert has paged you.</p>
        ) : (
          <ul class="alerts" aria-label={`${alerts.length} open alerts paging you`}>
            {alerts.map((alert) => (
              <li key={alert.id} class={`alert severity-${alert.severity}`}>
                <h3>{alert.summary}</h3>
                <p class="facts">
                  <span class={`badge severity-${alert.severity}`}>{alert.severity}</span>{' '}
                  <span class={`badge state-${alert.state}`}>{alert.state}</span> <span>{alert.service}</span>
                  <span>
                    {' · '}triggered{' '}
                    <time dateTime={alert.triggered_at}>
                      {relativeTime(Date.parse(alert.triggered_at), now)}
                    </time>
                  </span>
                </p>
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to="alerts">All open alerts</Link>
        </p>
      </section>

      <section class="now-section" aria-labelledby="now-on-call">
        <h2 id="now-on-call">On call now</h2>
        <ErrorMessage text={onCallFailure} />
        {view === null ? (
          onCallFailure ? null : (
            <p>Loading schedules…</p>
          )
        ) : view.schedules.length === 0 ? (
          <p>No schedules yet.</p>
        ) : (
          <ul class="now-schedules">
            {view.schedules.map((s) => (
              <li key={s.id}>
                <h3>
                  <Link to={`schedules/${s.id}`}>{s.name}</Link>
                </h3>
                <p class="now-people">{people(s.onCall)}</p>
                <p class="facts">
                  {s.next
                    ? `Next: ${people(s.next.userIds)} from ${when(s.next.at, view.at)}`
                    : `No handoff in the next ${AHEAD_DAYS} days.`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="now-section" aria-labelledby="now-mine">
        <h2 id="now-mine">Your next shifts</h2>
        {view === null ? null : view.mine.length === 0 ? (
          <p>You are not on call in the next {AHEAD_DAYS} days.</p>
        ) : (
          <ul class="plain-list now-mine">
            {view.mine.map((s) => (
              <li key={`${s.scheduleId}-${s.start}`}>
                <strong>{s.schedule}</strong>:{' '}
                {s.current
                  ? `on call now, until ${when(s.end, view.at)}`
                  : `${when(s.start, view.at)} until ${dateTimeLabel(s.end, viewerZone())}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

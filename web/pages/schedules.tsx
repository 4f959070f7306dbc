/**
 * Schedules: the list, and one schedule's final shifts (layers, restrictions and overrides applied) as a
 * list per day in the viewer's zone or the schedule's, who is on call now, its overrides (added and
 * removed here by the roles the API lets), and its iCalendar feed.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import { may } from '../api/roles.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, useLoaded, type PageProps } from '../components.js';
import { lazyComponent } from '../lazy.js';
import { usePage } from '../router.js';
import { dayShiftTime, shiftsByDay, type Shift } from '../shift-days.js';
import {
  dateTimeLabel,
  dayLabel,
  daysFrom,
  localInputValue,
  parseLocalInput,
  timeLabel,
  viewerZone,
} from '../zoned-time.js';

type Schedule = components['schemas']['Schedule'];
type Override = components['schemas']['Override'];
type User = components['schemas']['User'];
type OnCall = { user_id: string; layer_id: string | null; override_id: string | null };

/** How far ahead the calendar shows: two weeks from today. */
const CALENDAR_DAYS = 14;
const HOUR = 3_600_000;

// The editor is for admins only, and most visits never open it: its own chunk, fetched when opened.
const ScheduleEditor = lazyComponent(() => import('./schedule-editor.js').then((m) => m.ScheduleEditor));
const NewSchedulePage = lazyComponent(() => import('./schedule-editor.js').then((m) => m.NewSchedulePage));

export function SchedulesPage(props: PageProps) {
  const id = usePage().split('/')[1];
  if (id === 'new') return <NewSchedulePage {...props} />;
  return id ? <ScheduleDetail key={id} id={id} {...props} /> : <ScheduleList {...props} />;
}

const loadSchedules = () => call(api.GET('/schedules')).then((answer) => answer.schedules);

function ScheduleList({ session, onFailure }: PageProps) {
  const { data: schedules, failure } = useLoaded(loadSchedules, onFailure);
  return (
    <>
      <PageTitle>Schedules</PageTitle>
      {may(session.role, 'POST /schedules') ? (
        <p>
          <Link to="schedules/new">New schedule</Link>
        </p>
      ) : null}
      <ErrorMessage text={failure} />
      {schedules === null ? (
        failure ? null : (
          <p>Loading schedules…</p>
        )
      ) : schedules.length === 0 ? (
        <p>No schedules yet (an admin creates them here or with POST /schedules).</p>
      ) : (
        <ul class="plain-list">
          {schedules.map((s) => (
            <li key={s.id}>
              <Link to={`schedules/${s.id}`}>{s.name}</Link> <span class="hint-inline">({s.time_zone})</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

interface Loaded {
  schedule: Schedule;
  users: User[];
  onCall: OnCall[];
  shifts: Shift[];
  overrides: Override[];
}

/** Returns everything the schedule page shows, from `from` for the calendar's length. */
async function loadSchedule(id: string, from: number): Promise<Loaded> {
  const path = { id };
  const range = {
    from: new Date(from).toISOString(),
    to: new Date(from + (CALENDAR_DAYS + 1) * 24 * HOUR).toISOString(),
  };
  const [schedule, users, onCall, shifts, overrides] = await Promise.all([
    call(api.GET('/schedules/{id}', { params: { path } })),
    call(api.GET('/users')),
    call(api.GET('/schedules/{id}/on-call', { params: { path, query: {} } })),
    call(api.GET('/schedules/{id}/shifts', { params: { path, query: range } })),
    call(api.GET('/schedules/{id}/overrides', { params: { path } })),
  ]);
  return {
    schedule,
    users: users.users,
    onCall: onCall.on_call,
    shifts: shifts.shifts,
    overrides: overrides.overrides,
  };
}

function ScheduleDetail({ id, session, onFailure }: PageProps & { id: string }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [useScheduleZone, setUseScheduleZone] = useState(false);
  const [editing, setEditing] = useState(false);
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      // From a day ago, so today's first shift is there whichever zone the calendar shows.
      const loaded = await loadSchedule(id, Date.now() - 24 * HOUR);
      if (mine !== generation.current) return;
      setData(loaded);
      setFailure(null);
    } catch (err) {
      if (mine !== generation.current) return;
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [id, onFailure]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (!data)
    return (
      <>
        <PageTitle>Schedule</PageTitle>
        <ErrorMessage text={failure} />
        {failure ? null : <p>Loading the schedule…</p>}
      </>
    );

  const { schedule, users, onCall, shifts, overrides } = data;
  const mine = viewerZone();
  const zone = useScheduleZone ? schedule.time_zone : mine;
  const nameOf = (userId: string | null) =>
    userId === null ? 'nobody' : (users.find((u) => u.id === userId)?.name ?? 'a removed user');
  const mayEdit = may(session.role, 'POST /schedules/{id}/overrides');
  const mayRemove = may(session.role, 'DELETE /schedules/{id}/overrides/{overrideId}');
  const mayChange = may(session.role, 'PUT /schedules/{id}');

  const removeOverride = async (o: Override) => {
    setNotice('');
    try {
      await call(
        api.DELETE('/schedules/{id}/overrides/{overrideId}', { params: { path: { id, overrideId: o.id } } }),
      );
      setNotice(`Removed the override for ${nameOf(o.user_id ?? o.replaces)}.`);
      await refresh();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  const icsUrl = `${window.location.origin}/schedules/${schedule.id}.ics`;
  return (
    <>
      <p class="crumb">
        <Link to="schedules">All schedules</Link>
      </p>
      <PageTitle>{schedule.name}</PageTitle>
      <p class="status" role="status">
        {notice}
      </p>
      <ErrorMessage text={failure} />
      {editing ? (
        <ScheduleEditor
          schedule={schedule}
          users={users}
          onSaved={(saved) => {
            setEditing(false);
            setNotice(`Saved ${saved.name}: the calendar below shows its shifts.`);
            void refresh();
          }}
          onCancel={() => setEditing(false)}
          onFailure={onFailure}
        />
      ) : mayChange ? (
        <p>
          <button type="button" class="secondary" onClick={() => setEditing(true)}>
            Edit schedule
          </button>
        </p>
      ) : null}

      <section aria-labelledby="on-call-now">
        <h2 id="on-call-now">On call now</h2>
        {onCall.length === 0 ? (
          <p>Nobody is on call right now.</p>
        ) : (
          <ul class="plain-list on-call-now">
            {onCall.map((o) => (
              <li key={`${o.user_id}-${o.layer_id ?? o.override_id}`}>
                <strong>{nameOf(o.user_id)}</strong>
                {o.override_id ? ' (override)' : ''}
              </li>
            ))}
          </ul>
        )}
      </section>

      <fieldset class="zone-toggle">
        <legend>Show times in</legend>
        <label>
          <input
            type="radio"
            name="zone"
            checked={!useScheduleZone}
            onChange={() => setUseScheduleZone(false)}
          />{' '}
          your zone ({mine})
        </label>
        <label>
          <input
            type="radio"
            name="zone"
            checked={useScheduleZone}
            onChange={() => setUseScheduleZone(true)}
          />{' '}
          the schedule’s zone ({schedule.time_zone})
        </label>
      </fieldset>

      {mayEdit ? (
        <OverrideForm
          scheduleId={id}
          users={users}
          zone={zone}
          onAdded={async (text) => {
            setNotice(text);
            await refresh();
          }}
          onFailure={onFailure}
        />
      ) : null}

      <section aria-labelledby="overrides">
        <h2 id="overrides">Overrides</h2>
        {overrides.length === 0 ? (
          <p>No overrides.</p>
        ) : (
          <ul class="plain-list overrides">
            {overrides.map((o) => {
              const who = nameOf(o.user_id ?? o.replaces);
              const when = `${dateTimeLabel(Date.parse(o.start), zone)} to ${dateTimeLabel(Date.parse(o.end), zone)}`;
              return (
                <li key={o.id}>
                  <span id={`override-${o.id}`}>
                    {o.kind === 'remove'
                      ? `${who} is off`
                      : `${who} ${o.kind === 'add' ? 'joins' : 'covers'}`}{' '}
                    from {when}
                    {o.kind === 'replace' && o.replaces ? ` (instead of ${nameOf(o.replaces)})` : ''}
                  </span>
                  {mayRemove ? (
                    <button
                      type="button"
                      class="secondary"
                      aria-describedby={`override-${o.id}`}
                      onClick={() => void removeOverride(o)}
                    >
                      Remove
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="shifts">
        <h2 id="shifts">Shifts, next {CALENDAR_DAYS} days</h2>
        <p class="hint">Times in {zone}; layers, restrictions and overrides applied.</p>
        <ol class="calendar">
          {shiftsByDay(daysFrom(Date.now(), CALENDAR_DAYS, zone), shifts).map(({ day, shifts: parts }) => (
            <li key={day.key}>
              <h3>{dayLabel(day, zone)}</h3>
              {parts.length === 0 ? (
                <p class="hint">Nobody on call.</p>
              ) : (
                <ul>
                  {parts.map((p) => (
                    <li key={`${p.shift.user_id}-${p.shift.start}`}>
                      <span class="shift-time">{dayShiftTime(p, day, (ms) => timeLabel(ms, zone))}</span>{' '}
                      {nameOf(p.shift.user_id)}
                      {p.shift.override_id ? ' (override)' : ''}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Calendar subscription</h2>
        <p>
          <a href={icsUrl}>{icsUrl}</a>
        </p>
        <p class="hint">
          The feed (a week back to a quarter ahead) needs authentication: opened here it uses your session; a
          calendar app must send an API key of any role as <code>Authorization: Bearer &lt;key&gt;</code>{' '}
          (create one with POST /me/api-keys).
        </p>
      </section>
    </>
  );
}

function OverrideForm({
  scheduleId,
  users,
  zone,
  onAdded,
  onFailure,
}: {
  scheduleId: string;
  users: User[];
  zone: string;
  onAdded: (notice: string) => Promise<void>;
  onFailure: (err: unknown) => void;
}) {
  const [userId, setUserId] = useState(users[0]?.id ?? '');
  const [kind, setKind] = useState<'replace' | 'add'>('replace');
  // Defaults: the hour from now, as most overrides are "cover me now".
  const [from, setFrom] = useState(() => localInputValue(Date.now(), zone));
  const [to, setTo] = useState(() => localInputValue(Date.now() + HOUR, zone));
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const start = parseLocalInput(from, zone);
    const end = parseLocalInput(to, zone);
    if (start === null || end === null) return setFailure('Give both the start and the end.');
    if (end <= start) return setFailure('The end must be after the start.');
    setBusy(true);
    try {
      await call(
        api.POST('/schedules/{id}/overrides', {
          params: { path: { id: scheduleId } },
          body: {
            kind,
            user_id: userId,
            start: new Date(start).toISOString(),
            end: new Date(end).toISOString(),
          },
        }),
      );
      setFailure(null);
      await onAdded(`Added the override for ${users.find((u) => u.id === userId)?.name ?? 'them'}.`);
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="override-form" aria-labelledby="add-override" onSubmit={(e) => void submit(e)}>
      <h2 id="add-override">Add override</h2>
      <div class="fields">
        <div class="stack">
          <label for="override-user">Who covers</label>
          <select
            id="override-user"
            value={userId}
            onChange={(e) => setUserId((e.currentTarget as HTMLSelectElement).value)}
          >
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <div class="stack">
          <label for="override-kind">Kind</label>
          <select
            id="override-kind"
            value={kind}
            onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as 'replace' | 'add')}
          >
            <option value="replace">replace whoever is on call</option>
            <option value="add">add alongside whoever is on call</option>
          </select>
        </div>
        <div class="stack">
          <label for="override-from">From</label>
          <input
            id="override-from"
            type="datetime-local"
            required
            value={from}
            aria-describedby="override-zone"
            onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="stack">
          <label for="override-to">To</label>
          <input
            id="override-to"
            type="datetime-local"
            required
            value={to}
            aria-describedby="override-zone"
            onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
      </div>
      <p class="hint" id="override-zone">
        Times in {zone}.
      </p>
      <ErrorMessage text={failure} />
      <button type="submit" disabled={busy || !userId}>
        Add override
      </button>
    </form>
  );
}

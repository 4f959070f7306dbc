/**
 * The schedule editor (admins): a new schedule, or an edit of a stored one: name, time zone, handoff
 * notifications and its layers, saved with POST or PUT /schedules. The API has no dry run for a schedule,
 * so what it will do is shown after saving (the schedule page's calendar); an error the API answers
 * with is shown at the form and marks the control of the field it names. Loaded on first use.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, call, errorText } from '../api/client.js';
import { may } from '../api/roles.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, useLoaded, type PageProps } from '../components.js';
import { navigate } from '../router.js';
import {
  controlIdFor,
  draftFromSchedule,
  draftToBody,
  emptyDraft,
  errorField,
  fieldLabel,
  newLayer,
  removeItem,
  updateLayer,
  type ScheduleDraft,
} from '../schedule-draft.js';
import { viewerZone } from '../zoned-time.js';
import { LayerEditor } from './schedule-layer-editor.js';

type Schedule = components['schemas']['Schedule'];
type User = components['schemas']['User'];

const ERROR_ID = 'schedule-error';

/** Returns the zones the browser knows, for the time zone field's suggestions (none where it cannot say). */
function knownZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** Returns the id of the control for the field, or of the nearest enclosing field that has one. */
function controlFor(field: string): string | null {
  for (let parts = field.split('.'); parts.length > 1; parts = parts.slice(0, -1)) {
    const id = controlIdFor(parts.join('.'));
    if (document.getElementById(id)) return id;
  }
  return null;
}

export interface ScheduleEditorProps {
  /** The schedule to edit; absent for a new one. */
  schedule?: Schedule;
  users: User[];
  onSaved: (saved: Schedule) => void;
  onCancel: () => void;
  onFailure: (err: unknown) => void;
}

export function ScheduleEditor({ schedule, users, onSaved, onCancel, onFailure }: ScheduleEditorProps) {
  const [draft, setDraft] = useState<ScheduleDraft>(() =>
    schedule ? draftFromSchedule(schedule) : emptyDraft(Date.now(), viewerZone()),
  );
  const [failure, setFailure] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(knownZones, []);
  const heading = schedule ? 'Edit schedule' : 'Name, zone and layers';
  const marks = (field: string) =>
    invalid === controlIdFor(field) ? { 'aria-invalid': true, 'aria-errormessage': ERROR_ID } : {};

  useEffect(() => {
    if (invalid) document.getElementById(invalid)?.focus();
  }, [invalid]);
  // A removed layer takes its Remove button with it: the focus goes to "Add layer" instead.
  const addLayer = useRef<HTMLButtonElement>(null);
  const [removed, setRemoved] = useState(0);
  useEffect(() => {
    if (removed) addLayer.current?.focus();
  }, [removed]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setInvalid(null);
    const body = draftToBody(draft);
    try {
      const saved = schedule
        ? await call(api.PUT('/schedules/{id}', { params: { path: { id: schedule.id } }, body }))
        : await call(api.POST('/schedules', { body }));
      onSaved(saved);
    } catch (err) {
      const named = err instanceof ApiError ? errorField(err.message) : null;
      const label = named ? fieldLabel(named.field) : null;
      setFailure(named && label ? `${label}: ${named.text}` : errorText(err));
      setInvalid(named ? controlFor(named.field) : null);
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <form class="schedule-editor" aria-labelledby="schedule-editor-heading" onSubmit={(e) => void save(e)}>
      <h2 id="schedule-editor-heading">{heading}</h2>
      <div class="fields">
        <div class="stack">
          <label for={controlIdFor('body.name')}>Name</label>
          <input
            id={controlIdFor('body.name')}
            value={draft.name}
            {...marks('body.name')}
            onInput={(e) => setDraft({ ...draft, name: value(e) })}
          />
        </div>
        <div class="stack">
          <label for={controlIdFor('body.time_zone')}>Time zone</label>
          <input
            id={controlIdFor('body.time_zone')}
            value={draft.timeZone}
            list="schedule-zones"
            autocomplete="off"
            aria-describedby="schedule-zone-hint"
            {...marks('body.time_zone')}
            onInput={(e) => setDraft({ ...draft, timeZone: value(e) })}
          />
          <datalist id="schedule-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <p class="hint" id="schedule-zone-hint">
            An IANA zone, e.g. Europe/Berlin; the layers’ times are in it.
          </p>
        </div>
      </div>
      <label class="check">
        <input
          type="checkbox"
          id={controlIdFor('body.handoff_notifications')}
          checked={draft.handoffNotifications}
          onChange={(e) =>
            setDraft({ ...draft, handoffNotifications: (e.currentTarget as HTMLInputElement).checked })
          }
        />{' '}
        Tell people when their shift starts
      </label>

      <p class="hint">Later layers win where they have someone on call.</p>
      {draft.layers.map((layer, i) => (
        <LayerEditor
          key={layer.key}
          layer={layer}
          index={i}
          users={users}
          zone={draft.timeZone}
          invalid={invalid}
          errorId={ERROR_ID}
          onChange={(change) => setDraft((d) => updateLayer(d, layer.key, change))}
          onRemove={() => {
            setDraft((d) => ({ ...d, layers: removeItem(d.layers, i) }));
            setRemoved((n) => n + 1);
          }}
        />
      ))}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          ref={addLayer}
          onClick={() =>
            setDraft((d) => ({
              ...d,
              layers: [...d.layers, newLayer(Date.now(), d.timeZone, `layer ${d.layers.length + 1}`)],
            }))
          }
        >
          Add layer
        </button>
      </div>

      <p class="hint">
        Klaxon cannot preview a schedule before it is saved: after saving, the calendar shows its shifts.
      </p>
      <p class="error" role="alert" id={ERROR_ID}>
        {failure ?? ''}
      </p>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {schedule ? 'Save schedule' : 'Create schedule'}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const loadUsers = () => call(api.GET('/users')).then((answer) => answer.users);

/** The page at schedules/new: the editor for a new schedule, which opens the schedule once created. */
export function NewSchedulePage({ session, onFailure }: PageProps) {
  const { data: users, failure } = useLoaded(loadUsers, onFailure);
  const allowed = may(session.role, 'POST /schedules');
  return (
    <>
      <p class="crumb">
        <Link to="schedules">All schedules</Link>
      </p>
      <PageTitle>New schedule</PageTitle>
      {!allowed ? (
        <p>Only an admin can create schedules.</p>
      ) : (
        <>
          <ErrorMessage text={failure} />
          {users === null ? (
            failure ? null : (
              <p>Loading…</p>
            )
          ) : (
            <ScheduleEditor
              users={users}
              onSaved={(s) => navigate(`schedules/${s.id}`, { replace: true })}
              onCancel={() => navigate('schedules')}
              onFailure={onFailure}
            />
          )}
        </>
      )}
    </>
  );
}

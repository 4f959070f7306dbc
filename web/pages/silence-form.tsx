/**
 * The form that creates a silence (responders and admins): matcher rows (all must hold), a start (now
 * unless given) and a length (1 h, 4 h, 1 d or until a time), or, when it repeats, the days, local start
 * time, length and zone of each occurrence and an end none goes past; a comment. Preview asks the API which open
 * alerts it would hold now without creating it; the API's refusal of either is shown at the form in its
 * words, naming the field, and that field is marked and focused.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Field, Link } from '../components.js';
import {
  DURATIONS,
  controlIdFor,
  draftFromQuery,
  fieldLabel,
  matcherText,
  silenceBody,
  WEEKDAY_NAMES,
  type Lasts,
  type MatcherDraft,
  type RepeatsDraft,
  type SilenceDraft,
} from '../silence-draft.js';
import { viewerZone } from '../zoned-time.js';
import { MatcherRows, type Marks } from './silence-matchers.js';

type Created = components['schemas']['CreatedSilence'];
type Matched = components['schemas']['SilencedAlert'];

const ERROR_ID = 'silence-error';

export function SilenceForm({
  onCreated,
  onFailure,
}: {
  onCreated: (created: Created) => void;
  onFailure: (err: unknown) => void;
}) {
  const zone = viewerZone();
  const [draft, setDraft] = useState<SilenceDraft>(() => draftFromQuery(window.location.search, zone));
  const [preview, setPreview] = useState<Matched[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'create' | null>(null);

  useEffect(() => {
    if (invalid) document.getElementById(invalid)?.focus();
  }, [invalid]);

  // A preview answers for the draft it was asked about: any change makes it stale.
  const change = (next: SilenceDraft) => {
    setDraft(next);
    setPreview(null);
  };

  const refused = (err: unknown) => {
    const first = err instanceof ApiError ? err.fields[0] : undefined;
    const label = first ? fieldLabel(first.field) : null;
    setFailure(first && label ? `${label}: ${first.message}` : errorText(err));
    const id = first ? controlIdFor(first.field, draft.lasts, draft.repeats) : null;
    setInvalid(id && document.getElementById(id) ? id : null);
    onFailure(err);
  };

  const run = async (what: 'preview' | 'create') => {
    setBusy(what);
    setFailure(null);
    setInvalid(null);
    const body = silenceBody(draft, Date.now(), zone);
    try {
      if (what === 'preview') {
        setPreview((await call(api.POST('/silences/preview', { body }))).alerts);
      } else {
        const created = await call(api.POST('/silences', { body }));
        setDraft(draftFromQuery('', zone));
        setPreview(null);
        onCreated(created);
      }
    } catch (err) {
      refused(err);
    } finally {
      setBusy(null);
    }
  };

  const marks: Marks = (id) =>
    invalid === id ? { 'aria-invalid': true, 'aria-errormessage': ERROR_ID } : {};
  const setRepeat = (repeat: RepeatsDraft) => change({ ...draft, repeat });

  return (
    <form
      class="silence-form panel"
      aria-labelledby="silence-form-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run('create');
      }}
    >
      <h2 id="silence-form-heading">New silence</h2>
      <MatcherRows
        matchers={draft.matchers}
        marks={marks}
        onChange={(matchers) => change({ ...draft, matchers })}
      />

      <div class="fields">
        <Field
          id="silence-start"
          label="Start"
          type="datetime-local"
          value={draft.start}
          hint={`Empty: now. Times are in ${zone}.`}
          extra={marks('silence-start')}
          onInput={(start) => change({ ...draft, start })}
        />
        <label class="check">
          <input
            type="checkbox"
            id="silence-repeats"
            checked={draft.repeats}
            onChange={(e) => change({ ...draft, repeats: e.currentTarget.checked })}
          />
          Repeats
        </label>
        {draft.repeats ? null : (
          <fieldset class="lasts">
            <legend>Lasts</legend>
            {[...DURATIONS, { key: 'until', label: 'Until a time' } as const].map((p) => (
              <label key={p.key} class="check">
                <input
                  type="radio"
                  name="silence-lasts"
                  value={p.key}
                  checked={draft.lasts === p.key}
                  onChange={() => change({ ...draft, lasts: p.key as Lasts })}
                />
                {p.label}
              </label>
            ))}
          </fieldset>
        )}
        {draft.lasts === 'until' || draft.repeats ? (
          <Field
            id="silence-end"
            label="End"
            type="datetime-local"
            value={draft.end}
            hint={draft.repeats ? 'No occurrence goes past it (at most 366 days on).' : undefined}
            extra={marks('silence-end')}
            onInput={(end) => change({ ...draft, end })}
          />
        ) : null}
      </div>
      {draft.repeats ? <Repeats repeat={draft.repeat} marks={marks} onChange={setRepeat} /> : null}

      <Field
        id="silence-comment"
        label="Comment"
        value={draft.comment}
        hint="Why: it is written on each silenced alert’s timeline."
        extra={{ maxLength: 500, ...marks('silence-comment') }}
        onInput={(comment) => change({ ...draft, comment })}
      />

      <ErrorMessage text={failure} id={ERROR_ID} />
      <div class="row-actions">
        <button type="button" class="secondary" disabled={busy !== null} onClick={() => void run('preview')}>
          {busy === 'preview' ? 'Previewing…' : 'Preview'}
        </button>
        <button type="submit" disabled={busy !== null}>
          {busy === 'create' ? 'Creating…' : 'Create silence'}
        </button>
      </div>
      <Preview alerts={preview} matchers={draft.matchers} />
    </form>
  );
}

/**
 * The Repeats section: the days an occurrence starts on, its local start time and length, and the zone
 * those are read in (the viewer's unless changed: a maintenance window is often another site's night).
 */
function Repeats({
  repeat,
  marks,
  onChange,
}: {
  repeat: RepeatsDraft;
  marks: Marks;
  onChange: (next: RepeatsDraft) => void;
}) {
  const toggle = (day: number, on: boolean) =>
    onChange({
      ...repeat,
      weekdays: on ? [...repeat.weekdays, day] : repeat.weekdays.filter((d) => d !== day),
    });
  return (
    <div class="fields">
      <fieldset class="lasts">
        <legend>Repeats on</legend>
        {WEEKDAY_NAMES.map(({ day, name }) => (
          <label key={day} class="check">
            <input
              type="checkbox"
              id={`silence-weekday-${day}`}
              checked={repeat.weekdays.includes(day)}
              {...marks(`silence-weekday-${day}`)}
              onChange={(e) => toggle(day, e.currentTarget.checked)}
            />
            {name}
          </label>
        ))}
      </fieldset>
      <Field
        id="silence-repeat-at"
        label="Time of day"
        type="time"
        value={repeat.at}
        hint="Local start time of each occurrence."
        extra={marks('silence-repeat-at')}
        onInput={(at) => onChange({ ...repeat, at })}
      />
      <Field
        id="silence-repeat-minutes"
        label="Each lasts (minutes)"
        value={repeat.minutes}
        hint="E.g. 120 for 2 hours; at most a week."
        extra={{ inputMode: 'numeric', ...marks('silence-repeat-minutes') }}
        onInput={(minutes) => onChange({ ...repeat, minutes })}
      />
      <Field
        id="silence-repeat-zone"
        label="Time zone"
        value={repeat.timeZone}
        hint="An IANA zone, e.g. Europe/Berlin; the start time is read in it."
        extra={{ autocomplete: 'off', ...marks('silence-repeat-zone') }}
        onInput={(timeZone) => onChange({ ...repeat, timeZone })}
      />
    </div>
  );
}

/** What the last preview found; announced as it arrives. */
function Preview({ alerts, matchers }: { alerts: Matched[] | null; matchers: MatcherDraft[] }) {
  return (
    <div class="silence-preview" aria-live="polite">
      {alerts === null ? null : (
        <section aria-labelledby="silence-preview-heading">
          <h3 id="silence-preview-heading">
            {alerts.length === 0
              ? 'No open alert matches now'
              : `It would silence ${alerts.length} open alert${alerts.length === 1 ? '' : 's'} now`}
          </h3>
          <p class="hint">
            {matchers.map((m) => matcherText({ ...m, label: m.label || undefined })).join(', ')}; alerts
            triggered while it holds are silenced too.
          </p>
          {alerts.length > 0 ? (
            <ul class="plain-list" aria-label="Alerts it would silence">
              {alerts.map((a) => (
                <li key={a.id}>
                  <span class={`badge severity-${a.severity}`}>{a.severity}</span>{' '}
                  <Link to={`alerts/${a.id}`}>{a.summary}</Link> <span class="hint-inline">{a.service}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      )}
    </div>
  );
}

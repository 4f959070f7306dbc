/**
 * The form that creates a silence (responders and admins): matcher rows (all must hold), a start (now
 * unless given) and a length (1 h, 4 h, 1 d or until a time), a comment. Preview asks the API which open
 * alerts it would hold now without creating it; the API's refusal of either is shown at the form in its
 * words, naming the field, and that field is marked and focused.
 */
import { useEffect, useState } from 'preact/hooks';
import { SEVERITIES } from '../../domain/severity.js';
import { ApiError, api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link } from '../components.js';
import {
  DURATIONS,
  MATCHER_FIELDS,
  MATCHER_OPS,
  OP_LABELS,
  controlIdFor,
  draftFromQuery,
  emptyMatcher,
  fieldLabel,
  matcherText,
  silenceBody,
  type Lasts,
  type MatcherDraft,
  type SilenceDraft,
} from '../silence-draft.js';
import { viewerZone } from '../zoned-time.js';

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
  const [draft, setDraft] = useState<SilenceDraft>(() => draftFromQuery(window.location.search));
  const [preview, setPreview] = useState<Matched[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'create' | null>(null);
  const zone = viewerZone();

  useEffect(() => {
    if (invalid) document.getElementById(invalid)?.focus();
  }, [invalid]);

  // A preview answers for the draft it was asked about: any change makes it stale.
  const change = (next: SilenceDraft) => {
    setDraft(next);
    setPreview(null);
  };
  const changeMatcher = (i: number, patch: Partial<MatcherDraft>) =>
    change({ ...draft, matchers: draft.matchers.map((m, j) => (j === i ? { ...m, ...patch } : m)) });

  const refused = (err: unknown) => {
    const first = err instanceof ApiError ? err.fields[0] : undefined;
    const label = first ? fieldLabel(first.field) : null;
    setFailure(first && label ? `${label}: ${first.message}` : errorText(err));
    const id = first ? controlIdFor(first.field, draft.lasts) : null;
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
        setDraft(draftFromQuery(''));
        setPreview(null);
        onCreated(created);
      }
    } catch (err) {
      refused(err);
    } finally {
      setBusy(null);
    }
  };

  const marks = (id: string) =>
    invalid === id ? { 'aria-invalid': true, 'aria-errormessage': ERROR_ID } : {};
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

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
      <fieldset class="matchers">
        <legend>Matchers: an alert is silenced when every one holds</legend>
        <datalist id="silence-severities">
          {SEVERITIES.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <ol class="plain-list">
          {draft.matchers.map((m, i) => (
            <li key={i} class="fields matcher-row">
              <div class="stack">
                <label for={`silence-matcher-${i}-field`}>Matcher {i + 1} field</label>
                <select
                  id={`silence-matcher-${i}-field`}
                  value={m.field}
                  {...marks(`silence-matcher-${i}-field`)}
                  onChange={(e) => changeMatcher(i, { field: value(e) as MatcherDraft['field'] })}
                >
                  {MATCHER_FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </select>
              </div>
              {m.field === 'label' ? (
                <div class="stack">
                  <label for={`silence-matcher-${i}-label`}>Matcher {i + 1} label name</label>
                  <input
                    id={`silence-matcher-${i}-label`}
                    type="text"
                    maxLength={200}
                    value={m.label}
                    {...marks(`silence-matcher-${i}-label`)}
                    onInput={(e) => changeMatcher(i, { label: value(e) })}
                  />
                </div>
              ) : null}
              <div class="stack">
                <label for={`silence-matcher-${i}-op`}>Matcher {i + 1} operator</label>
                <select
                  id={`silence-matcher-${i}-op`}
                  value={m.op}
                  {...marks(`silence-matcher-${i}-op`)}
                  onChange={(e) => changeMatcher(i, { op: value(e) as MatcherDraft['op'] })}
                >
                  {MATCHER_OPS.map((op) => (
                    <option key={op} value={op}>
                      {OP_LABELS[op]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="stack">
                <label for={`silence-matcher-${i}-value`}>Matcher {i + 1} value</label>
                <input
                  id={`silence-matcher-${i}-value`}
                  type="text"
                  value={m.value}
                  list={m.field === 'severity' ? 'silence-severities' : undefined}
                  {...marks(`silence-matcher-${i}-value`)}
                  onInput={(e) => changeMatcher(i, { value: value(e) })}
                />
              </div>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  change({ ...draft, matchers: draft.matchers.filter((_, j) => j !== i) });
                  // Its button goes with the row: the focus goes to Add matcher.
                  document.getElementById('silence-add-matcher')?.focus();
                }}
              >
                Remove matcher {i + 1}
              </button>
            </li>
          ))}
        </ol>
        {draft.matchers.length === 0 ? <p class="hint">No matcher yet: a silence needs one.</p> : null}
        <button
          id="silence-add-matcher"
          type="button"
          class="secondary"
          {...marks('silence-add-matcher')}
          onClick={() => change({ ...draft, matchers: [...draft.matchers, emptyMatcher()] })}
        >
          Add matcher
        </button>
      </fieldset>

      <div class="fields">
        <div class="stack">
          <label for="silence-start">Start</label>
          <input
            id="silence-start"
            type="datetime-local"
            value={draft.start}
            aria-describedby="silence-start-hint"
            {...marks('silence-start')}
            onInput={(e) => change({ ...draft, start: value(e) })}
          />
          <p class="hint" id="silence-start-hint">
            Empty: now. Times are in {zone}.
          </p>
        </div>
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
        {draft.lasts === 'until' ? (
          <div class="stack">
            <label for="silence-end">End</label>
            <input
              id="silence-end"
              type="datetime-local"
              value={draft.end}
              {...marks('silence-end')}
              onInput={(e) => change({ ...draft, end: value(e) })}
            />
          </div>
        ) : null}
      </div>

      <div class="stack">
        <label for="silence-comment">Comment</label>
        <input
          id="silence-comment"
          type="text"
          maxLength={500}
          value={draft.comment}
          aria-describedby="silence-comment-hint"
          {...marks('silence-comment')}
          onInput={(e) => change({ ...draft, comment: value(e) })}
        />
        <p class="hint" id="silence-comment-hint">
          Why: it is written on each silenced alert’s timeline.
        </p>
      </div>

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

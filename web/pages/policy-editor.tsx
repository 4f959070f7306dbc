/**
 * The escalation policy editor (admins): name, tiers with their delays and targets (add, remove,
 * reorder), repeats and timeouts; saved with POST or PUT /escalation-policies, the API's field errors
 * shown beside the fields they name. A saved policy's draft can be dry-run before it is saved.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, call, errorText } from '../api/client.js';
import { ErrorMessage } from '../components.js';
import {
  addTier,
  changeTier,
  draftOf,
  fieldLabel,
  moveTier,
  policyBody,
  removeTier,
  type Policy,
  type PolicyDraft,
} from '../policy-draft.js';
import { DryRun, type Names } from './dry-run.js';
import { Problem, TargetList, value, type Problems } from './policy-targets.js';

/** The API's field errors by field, without the body's prefix ('tiers.1.delay_minutes'). */
const problemsOf = (err: unknown): Problems =>
  new Map(
    err instanceof ApiError
      ? err.fields.map((f) => [f.field.replace(/^body\.(policy\.)?/, ''), f.message])
      : [],
  );

// After a tier moves, the focus follows it: the same button at its new place, or the other one when
// that place is an end and the button there is disabled.
const movedButton = (to: number, last: number, up: boolean) => {
  const same = up ? to > 0 : to < last;
  return `pe-${up === same ? 'up' : 'down'}-${to}`;
};

export function PolicyEditor({
  policy,
  names,
  onSaved,
  onCancel,
  onFailure,
}: {
  policy: Policy | null;
  names: Names;
  onSaved: (policy: Policy) => void;
  onCancel: () => void;
  onFailure: (err: unknown) => void;
}) {
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(policy));
  const [problems, setProblems] = useState<Problems>(new Map());
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = policyBody(draft);
      const saved = policy
        ? await call(api.PUT('/escalation-policies/{id}', { params: { path: { id: policy.id } }, body }))
        : await call(api.POST('/escalation-policies', { body }));
      onSaved(saved);
    } catch (err) {
      setProblems(problemsOf(err));
      // The first refusal in the form's words ("Tier 2, delay: …"); the rest are listed below it.
      const first = err instanceof ApiError ? err.fields[0] : undefined;
      setFailure(first ? `${fieldLabel(first.field)}: ${first.message}` : errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof PolicyDraft, label: string, id: string, apiField: string, hint?: string) => (
    <div class="stack">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min="0"
        value={draft[name] as string}
        aria-invalid={problems.has(apiField) ? true : undefined}
        aria-describedby={
          [hint ? `${id}-hint` : '', problems.has(apiField) ? `${id}-problem` : ''].join(' ').trim() ||
          undefined
        }
        onInput={(e) => setDraft({ ...draft, [name]: value(e) })}
      />
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <Problem id={`${id}-problem`} text={problems.get(apiField)} />
    </div>
  );

  return (
    <>
      <form class="policy-editor" aria-labelledby="policy-editor" onSubmit={(e) => void save(e)} noValidate>
        <h2 id="policy-editor">{policy ? 'Edit the policy' : 'The policy'}</h2>
        <div class="stack">
          <label for="pe-name">Name</label>
          <input
            id="pe-name"
            required
            value={draft.name}
            aria-invalid={problems.has('name') ? true : undefined}
            aria-describedby={problems.has('name') ? 'pe-name-problem' : undefined}
            onInput={(e) => setDraft({ ...draft, name: value(e) })}
          />
          <Problem id="pe-name-problem" text={problems.get('name')} />
        </div>

        <h3>Tiers</h3>
        <p class="hint">
          Each tier pages its targets this many minutes after the alert (or a repeat) starts. Moving a tier
          moves its targets; the delays stay in order.
        </p>
        <Problem id="pe-tiers-problem" text={problems.get('tiers')} />
        <ol class="tier-editor">
          {draft.tiers.map((tier, i) => (
            <li key={i}>
              <fieldset>
                <legend>Tier {i + 1}</legend>
                <div class="stack">
                  <label for={`pe-delay-${i}`}>Delay (minutes)</label>
                  <input
                    id={`pe-delay-${i}`}
                    type="number"
                    inputMode="numeric"
                    min="0"
                    value={tier.delay}
                    aria-invalid={problems.has(`tiers.${i}.delay_minutes`) ? true : undefined}
                    aria-describedby={
                      problems.has(`tiers.${i}.delay_minutes`) ? `pe-delay-${i}-problem` : undefined
                    }
                    onInput={(e) => setDraft(changeTier(draft, i, (t) => ({ ...t, delay: value(e) })))}
                  />
                  <Problem id={`pe-delay-${i}-problem`} text={problems.get(`tiers.${i}.delay_minutes`)} />
                </div>
                <TargetList
                  tier={i}
                  targets={tier.targets}
                  names={names}
                  problems={problems}
                  onChange={(targets) => setDraft(changeTier(draft, i, (t) => ({ ...t, targets })))}
                />
                <div class="row-actions">
                  <button
                    type="button"
                    class="secondary"
                    id={`pe-up-${i}`}
                    disabled={i === 0}
                    onClick={() => {
                      setDraft(moveTier(draft, i, -1));
                      focusNext.current = movedButton(i - 1, draft.tiers.length - 1, true);
                    }}
                  >
                    Move up<span class="visually-hidden"> tier {i + 1}</span>
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    id={`pe-down-${i}`}
                    disabled={i === draft.tiers.length - 1}
                    onClick={() => {
                      setDraft(moveTier(draft, i, 1));
                      focusNext.current = movedButton(i + 1, draft.tiers.length - 1, false);
                    }}
                  >
                    Move down<span class="visually-hidden"> tier {i + 1}</span>
                  </button>
                  <button type="button" class="secondary" onClick={() => setDraft(removeTier(draft, i))}>
                    Remove<span class="visually-hidden"> tier {i + 1}</span>
                  </button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
        <p>
          <button type="button" class="secondary" onClick={() => setDraft(addTier(draft))}>
            Add a tier
          </button>
        </p>

        <h3>Repeats and timeouts</h3>
        <div class="fields">
          {field('repeat', 'Repeats', 'pe-repeat', 'repeat', 'How many more times the chain runs.')}
          {field('repeatDelay', 'Minutes between repeats', 'pe-repeat-delay', 'repeat_delay_minutes')}
          {field(
            'ackTimeout',
            'Acknowledgement timeout (minutes)',
            'pe-ack-timeout',
            'ack_timeout_minutes',
            'Empty: an acknowledged alert stays so.',
          )}
          {field(
            'autoResolve',
            'Resolve after (minutes)',
            'pe-auto-resolve',
            'auto_resolve_minutes',
            'Empty: alerts never resolve by themselves.',
          )}
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={draft.isDefault}
            onChange={(e) => setDraft({ ...draft, isDefault: (e.currentTarget as HTMLInputElement).checked })}
          />
          The default policy (alerts no rule matches go to it)
        </label>

        <ErrorMessage text={failure} />
        {problems.size > 1 ? (
          <ul class="error problems">
            {[...problems].map(([f, m]) => (
              <li key={f}>
                {fieldLabel(f)}: {m}
              </li>
            ))}
          </ul>
        ) : null}
        <div class="row-actions">
          <button type="submit" disabled={busy}>
            {policy ? 'Save policy' : 'Create policy'}
          </button>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {policy ? (
        <DryRun policyId={policy.id} names={names} onFailure={onFailure} draft={() => policyBody(draft)} />
      ) : (
        <p class="hint">
          Once the policy is created, its page offers a dry-run of every edit before it is saved.
        </p>
      )}
    </>
  );
}

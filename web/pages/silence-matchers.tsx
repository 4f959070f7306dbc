/**
 * The silence form's matcher rows: field (service, severity or a label, whose name it then asks for),
 * operator and value each, Remove on every row and Add matcher below. The rows may all go: the API then
 * refuses the form, naming the matchers, and the form marks Add matcher.
 */
import { SEVERITIES } from '../../domain/severity.js';
import { Field } from '../components.js';
import { MATCHER_FIELDS, MATCHER_OPS, OP_LABELS, emptyMatcher, type MatcherDraft } from '../silence-draft.js';

/** The attributes that mark the control with the id as the one the form's error is about, if it is. */
export type Marks = (id: string) => Record<string, unknown>;

const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

export function MatcherRows({
  matchers,
  marks,
  onChange,
}: {
  matchers: MatcherDraft[];
  marks: Marks;
  onChange: (next: MatcherDraft[]) => void;
}) {
  const changeRow = (i: number, patch: Partial<MatcherDraft>) =>
    onChange(matchers.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  return (
    <fieldset class="matchers">
      <legend>Matchers (an alert is silenced when all hold)</legend>
      <datalist id="silence-severities">
        {SEVERITIES.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <ol class="plain-list">
        {matchers.map((m, i) => {
          const id = (part: string) => `silence-matcher-${i}-${part}`;
          return (
            <li key={i} class="fields matcher-row">
              <Choice
                id={id('field')}
                label={`Matcher ${i + 1} field`}
                value={m.field}
                options={MATCHER_FIELDS.map((f) => [f, f] as const)}
                marks={marks}
                onChange={(field) => changeRow(i, { field })}
              />
              {m.field === 'label' ? (
                <Field
                  id={id('label')}
                  label={`Matcher ${i + 1} label name`}
                  value={m.label}
                  extra={{ maxLength: 200, ...marks(id('label')) }}
                  onInput={(label) => changeRow(i, { label })}
                />
              ) : null}
              <Choice
                id={id('op')}
                label={`Matcher ${i + 1} operator`}
                value={m.op}
                options={MATCHER_OPS.map((op) => [op, OP_LABELS[op]] as const)}
                marks={marks}
                onChange={(op) => changeRow(i, { op })}
              />
              <Field
                id={id('value')}
                label={`Matcher ${i + 1} value`}
                value={m.value}
                extra={{
                  list: m.field === 'severity' ? 'silence-severities' : undefined,
                  ...marks(id('value')),
                }}
                onInput={(value) => changeRow(i, { value })}
              />
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  onChange(matchers.filter((_, j) => j !== i));
                  // Its button goes with the row: the focus goes to Add matcher.
                  document.getElementById('silence-add-matcher')?.focus();
                }}
              >
                Remove matcher {i + 1}
              </button>
            </li>
          );
        })}
      </ol>
      {matchers.length === 0 ? <p class="hint">No matcher yet: a silence needs one.</p> : null}
      <button
        id="silence-add-matcher"
        type="button"
        class="secondary"
        {...marks('silence-add-matcher')}
        onClick={() => onChange([...matchers, emptyMatcher()])}
      >
        Add matcher
      </button>
    </fieldset>
  );
}

/** A labelled select of `options` ([value, text] pairs). */
function Choice<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  marks: Marks;
  onChange: (value: T) => void;
}) {
  return (
    <div class="stack">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        {...props.marks(props.id)}
        onChange={(e) => props.onChange(value(e) as T)}
      >
        {props.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

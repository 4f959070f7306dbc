/**
 * The escalation rules (GET/PUT /escalation-rules): in order, the first rule an alert matches (by
 * severity, service and labels) picks its policy. Everyone sees them; admins add, remove, reorder and
 * save them.
 */
import { useCallback, useState } from 'preact/hooks';
import { ApiError, api, call, errorText } from '../api/client.js';
import { may } from '../api/roles.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, useLoaded, type PageProps } from '../components.js';
import { changed, moved, without } from '../policy-draft.js';
import {
  newRule,
  ruleDraftOf,
  ruleFieldLabel,
  rulesBody,
  type RuleDraft,
  type Severity,
} from '../rules-draft.js';
import { SEVERITIES } from './dry-run.js';

type Policy = components['schemas']['Policy'];

const loadRules = () =>
  call(api.GET('/escalation-rules')).then((answer) => answer.rules.map((r) => ruleDraftOf(r)));

function ruleText(rule: RuleDraft, policyName: string): string {
  const { rules } = rulesBody([rule]);
  const r = rules[0]!;
  const labels = Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const when = [
    r.severities ? `severity ${r.severities.join(' or ')}` : '',
    r.services ? `service ${r.services.join(' or ')}` : '',
    labels.length ? `labels ${labels.join(', ')}` : '',
  ].filter((s) => s !== '');
  return `${when.length ? when.join('; ') : 'Any alert'} → ${policyName}`;
}

export function EscalationRules({ session, onFailure, policies }: PageProps & { policies: Policy[] }) {
  const load = useCallback(loadRules, []);
  const { data: stored, failure } = useLoaded(load, onFailure);
  const mayEdit = may(session.role, 'PUT /escalation-rules');
  const policyName = (id: string) => policies.find((p) => p.id === id)?.name ?? 'a removed policy';
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Escalation rules</h2>
      <p class="hint">
        In order: the first rule an alert matches picks its policy; alerts no rule matches go to the default.
      </p>
      <ErrorMessage text={failure} />
      {stored === null ? (
        failure ? null : (
          <p>Loading the rules…</p>
        )
      ) : mayEdit ? (
        <RulesForm stored={stored} policies={policies} onFailure={onFailure} />
      ) : stored.length === 0 ? (
        <p>No rules: every alert goes to the default policy.</p>
      ) : (
        <ol class="plain-list rules">
          {stored.map((r, i) => (
            <li key={i}>{ruleText(r, policyName(r.policyId))}</li>
          ))}
        </ol>
      )}
    </section>
  );
}

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

function RulesForm({
  stored,
  policies,
  onFailure,
}: {
  stored: RuleDraft[];
  policies: Policy[];
  onFailure: (err: unknown) => void;
}) {
  const [rules, setRules] = useState(stored);
  const [problems, setProblems] = useState<{ field: string; message: string }[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const edit = (next: RuleDraft[]) => {
    setRules(next);
    setStatus('');
  };
  const change = (i: number, patch: Partial<RuleDraft>) =>
    edit(changed(rules, i, (r) => ({ ...r, ...patch })));

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await call(api.PUT('/escalation-rules', { body: rulesBody(rules) }));
      setRules(saved.rules.map((r) => ruleDraftOf(r)));
      setProblems([]);
      setFailure(null);
      setStatus(`Saved ${saved.rules.length} ${saved.rules.length === 1 ? 'rule' : 'rules'}.`);
    } catch (err) {
      setProblems(err instanceof ApiError ? err.fields : []);
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="rules-editor" aria-label="Escalation rules" onSubmit={(e) => void save(e)}>
      {rules.length === 0 ? <p>No rules: every alert goes to the default policy.</p> : null}
      <ol class="tier-editor">
        {rules.map((rule, i) => {
          const id = `rule-${i}`;
          return (
            <li key={i}>
              <fieldset>
                <legend>Rule {i + 1}</legend>
                <div class="stack">
                  <label for={`${id}-policy`}>Policy</label>
                  <select
                    id={`${id}-policy`}
                    value={rule.policyId}
                    onChange={(e) => change(i, { policyId: value(e) })}
                  >
                    {policies.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                  </select>
                </div>
                <fieldset class="severities">
                  <legend>Severities (none ticked: any)</legend>
                  {SEVERITIES.map((s) => (
                    <label key={s} class="check">
                      <input
                        type="checkbox"
                        checked={rule.severities.includes(s)}
                        onChange={(e) =>
                          change(i, {
                            severities: (e.currentTarget as HTMLInputElement).checked
                              ? SEVERITIES.filter((x: Severity) => x === s || rule.severities.includes(x))
                              : rule.severities.filter((x) => x !== s),
                          })
                        }
                      />
                      {s}
                    </label>
                  ))}
                </fieldset>
                <div class="stack">
                  <label for={`${id}-services`}>Services</label>
                  <input
                    id={`${id}-services`}
                    value={rule.services}
                    aria-describedby={`${id}-services-hint`}
                    onInput={(e) => change(i, { services: value(e) })}
                  />
                  <p class="hint" id={`${id}-services-hint`}>
                    Comma-separated; empty: any service.
                  </p>
                </div>
                <div class="stack">
                  <label for={`${id}-labels`}>Labels</label>
                  <textarea
                    id={`${id}-labels`}
                    rows={2}
                    value={rule.labels}
                    aria-describedby={`${id}-labels-hint`}
                    onInput={(e) => change(i, { labels: (e.currentTarget as HTMLTextAreaElement).value })}
                  />
                  <p class="hint" id={`${id}-labels-hint`}>
                    One key=value a line, all of which the alert must carry.
                  </p>
                </div>
                <div class="row-actions">
                  <button
                    type="button"
                    class="secondary"
                    disabled={i === 0}
                    onClick={() => edit(moved(rules, i, -1))}
                  >
                    Move up<span class="visually-hidden"> rule {i + 1}</span>
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    disabled={i === rules.length - 1}
                    onClick={() => edit(moved(rules, i, 1))}
                  >
                    Move down<span class="visually-hidden"> rule {i + 1}</span>
                  </button>
                  <button type="button" class="secondary" onClick={() => edit(without(rules, i))}>
                    Remove<span class="visually-hidden"> rule {i + 1}</span>
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <ErrorMessage text={failure} />
      {problems.length > 1 ? (
        <ul class="error problems">
          {problems.map((p) => (
            <li key={p.field}>
              {ruleFieldLabel(p.field)}: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="status" role="status">
        {status}
      </p>
      <div class="row-actions">
        <button type="button" class="secondary" onClick={() => edit([...rules, newRule(policies[0]!.id)])}>
          Add a rule
        </button>
        <button type="submit" disabled={busy}>
          Save rules
        </button>
      </div>
    </form>
  );
}

/**
 * A tier's targets in the policy editor: users, schedules and webhooks (URL and signing secret, the
 * stored one kept unless replaced or removed), each removable, and a control to add one.
 */
import { useState } from 'preact/hooks';
import { changed, without, type DraftTarget } from '../policy-draft.js';
import type { Names } from './dry-run.js';

/** The API's field errors by field, without the body's prefix ('tiers.1.delay_minutes'). */
export type Problems = Map<string, string>;

export const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

/** A field's error, referenced by the field's aria-describedby. */
export function Problem({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p class="error" id={id}>
      {text}
    </p>
  ) : null;
}

function targetName(t: DraftTarget, names: Names): string {
  if (t.type === 'user') return names.users.get(t.id) ?? 'a removed user';
  if (t.type === 'schedule')
    return `whoever is on call on ${names.schedules.get(t.id) ?? 'a removed schedule'}`;
  return 'webhook';
}

export function TargetList({
  tier,
  targets,
  names,
  problems,
  onChange,
}: {
  tier: number;
  targets: DraftTarget[];
  names: Names;
  problems: Problems;
  onChange: (targets: DraftTarget[]) => void;
}) {
  const at = `tiers.${tier}.targets`;
  const set = (j: number, change: Partial<Extract<DraftTarget, { type: 'webhook' }>>) =>
    onChange(changed(targets, j, (t) => (t.type === 'webhook' ? { ...t, ...change } : t)));
  return (
    <>
      <p class="target-heading" id={`pe-targets-${tier}`}>
        Targets
      </p>
      <Problem id={`pe-targets-${tier}-problem`} text={problems.get(at)} />
      <ul class="target-list" aria-labelledby={`pe-targets-${tier}`}>
        {targets.map((t, j) => {
          const id = `pe-t-${tier}-${j}`;
          const problem = [...problems].find(([f]) => f.startsWith(`${at}.${j}.`) || f === `${at}.${j}`)?.[1];
          return (
            <li key={j}>
              {t.type === 'webhook' ? (
                <div class="webhook-target">
                  <div class="stack">
                    <label for={`${id}-url`}>Webhook URL</label>
                    <input
                      id={`${id}-url`}
                      type="url"
                      value={t.url}
                      aria-describedby={problem ? `${id}-problem` : undefined}
                      onInput={(e) => set(j, { url: value(e) })}
                    />
                  </div>
                  <div class="stack">
                    <label for={`${id}-secret`}>
                      {t.hasSecret ? 'New signing secret' : 'Signing secret'}
                    </label>
                    <input
                      id={`${id}-secret`}
                      type="password"
                      autoComplete="off"
                      value={t.newSecret}
                      aria-describedby={`${id}-secret-hint`}
                      onInput={(e) => set(j, { newSecret: value(e) })}
                    />
                    <p class="hint" id={`${id}-secret-hint`}>
                      {t.hasSecret
                        ? 'A secret is stored; it is kept unless you type a new one or remove it.'
                        : 'Optional, 16 characters or more.'}
                    </p>
                    {t.hasSecret ? (
                      <label class="check">
                        <input
                          type="checkbox"
                          checked={t.dropSecret}
                          onChange={(e) =>
                            set(j, { dropSecret: (e.currentTarget as HTMLInputElement).checked })
                          }
                        />
                        Remove the stored secret
                      </label>
                    ) : null}
                  </div>
                </div>
              ) : (
                <span>{targetName(t, names)}</span>
              )}
              <button type="button" class="secondary" onClick={() => onChange(without(targets, j))}>
                Remove
                <span class="visually-hidden">
                  {' '}
                  {targetName(t, names)} from tier {tier + 1}
                </span>
              </button>
              <Problem id={`${id}-problem`} text={problem} />
            </li>
          );
        })}
      </ul>
      <AddTarget tier={tier} names={names} onAdd={(t) => onChange([...targets, t])} />
    </>
  );
}

function AddTarget({ tier, names, onAdd }: { tier: number; names: Names; onAdd: (t: DraftTarget) => void }) {
  const [kind, setKind] = useState<DraftTarget['type']>('user');
  const [choice, setChoice] = useState('');
  const options = kind === 'user' ? names.users : kind === 'schedule' ? names.schedules : null;
  const id = `pe-add-${tier}`;
  const picked = choice || (options ? [...options.keys()][0] : undefined) || '';
  const add = () => {
    if (kind === 'webhook')
      onAdd({ type: 'webhook', url: '', hasSecret: false, newSecret: '', dropSecret: false });
    else if (picked) onAdd({ type: kind, id: picked });
  };
  return (
    <div class="add-target">
      <div class="stack">
        <label for={`${id}-kind`}>New target for tier {tier + 1}</label>
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => {
            setKind((e.currentTarget as HTMLSelectElement).value as DraftTarget['type']);
            setChoice('');
          }}
        >
          <option value="user">A user</option>
          <option value="schedule">Whoever is on call on a schedule</option>
          <option value="webhook">A webhook</option>
        </select>
      </div>
      {options ? (
        <div class="stack">
          <label for={`${id}-who`}>{kind === 'user' ? 'User' : 'Schedule'}</label>
          <select
            id={`${id}-who`}
            value={picked}
            onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value)}
          >
            {[...options].map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <button type="button" class="secondary" disabled={options !== null && options.size === 0} onClick={add}>
        Add target<span class="visually-hidden"> to tier {tier + 1}</span>
      </button>
    </div>
  );
}

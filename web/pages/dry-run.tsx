/**
 * The escalation dry-run (POST /escalation-policies/{id}/simulate) of a saved policy or of a draft being
 * edited, drawn as a vertical timeline of who would be paged, when and how.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage } from '../components.js';
import { dateTimeLabel, viewerZone } from '../zoned-time.js';

type Target = components['schemas']['Policy']['tiers'][number]['targets'][number];
type Simulation = components['schemas']['Simulation'];
type SimulationEntry = components['schemas']['SimulationEntry'];
type Severity = Simulation['severity'];
type PolicyRequest = components['schemas']['PolicyRequest'];

export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
] as const satisfies readonly Severity[];

/** Names of the users and schedules a policy's targets and a simulation's pages point at. */
export interface Names {
  users: Map<string, string>;
  schedules: Map<string, string>;
}

export function targetText(t: Target | NonNullable<SimulationEntry['target']>, names: Names): string {
  if (t.type === 'user') return names.users.get(t.id) ?? 'a removed user';
  if (t.type === 'schedule')
    return `whoever is on call on ${names.schedules.get(t.id) ?? 'a removed schedule'}`;
  return `webhook ${t.url}`;
}

/** "+12 min" from the trigger: what a dry-run reader compares with the tiers' delays. */
function offsetText(at: string, start: string): string {
  const minutes = Math.round((Date.parse(at) - Date.parse(start)) / 60_000);
  return minutes < 120 ? `+${minutes} min` : `+${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function entryText(e: SimulationEntry, names: Names): string {
  const tier = e.tier === null ? '' : `Tier ${e.tier + 1}${e.loop ? ` (repeat ${e.loop})` : ''}: `;
  switch (e.kind) {
    case 'page': {
      const who = e.user_id
        ? (names.users.get(e.user_id) ?? 'a removed user')
        : e.target
          ? targetText(e.target, names)
          : 'nobody';
      const via = e.channel ? ` by ${e.channel}${e.address ? ` to ${e.address}` : ''}` : '';
      const why = e.page_kind && e.page_kind !== 'page' ? ` (${e.page_kind.replace('_', ' ')})` : '';
      return `${tier}pages ${who}${via}${why}`;
    }
    case 'escalation_gap':
      return `${tier}nobody reached: ${e.note ?? 'no target answers'}`;
    default:
      return `${tier}${e.kind.replace('_', ' ')}${e.note ? `: ${e.note}` : ''}`;
  }
}

/** The dry-run form and its timeline; with `draft`, the draft it returns is simulated instead of the saved policy. */
export function DryRun({
  policyId,
  names,
  onFailure,
  draft,
}: {
  policyId: string;
  names: Names;
  onFailure: (err: unknown) => void;
  draft?: () => PolicyRequest;
}) {
  const [severity, setSeverity] = useState<Severity>('critical');
  const [service, setService] = useState('checkout');
  const [ackAfter, setAckAfter] = useState('');
  const [horizon, setHorizon] = useState('24');
  const [result, setResult] = useState<Simulation | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zone = viewerZone();

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const answer = await call(
        api.POST('/escalation-policies/{id}/simulate', {
          params: { path: { id: policyId } },
          body: {
            severity,
            service,
            acknowledge_after_minutes: ackAfter.trim() === '' ? null : Number(ackAfter),
            horizon_hours: Number(horizon),
            ...(draft ? { policy: draft() } : {}),
          },
        }),
      );
      setResult(answer);
      setFailure(null);
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="dry-run">
      <h2 id="dry-run">Dry-run</h2>
      <p class="hint">
        Who would be paged, when and how, for an alert triggering now
        {draft ? ' under the policy as edited, before it is saved' : ''}. Nobody is paged.
      </p>
      <form class="dry-run-form" onSubmit={(e) => void run(e)}>
        <div class="fields">
          <div class="stack">
            <label for="sim-severity">Severity</label>
            <select
              id="sim-severity"
              value={severity}
              onChange={(e) => setSeverity((e.currentTarget as HTMLSelectElement).value as Severity)}
            >
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="stack">
            <label for="sim-service">Service</label>
            <input
              id="sim-service"
              required
              value={service}
              onInput={(e) => setService((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="stack">
            <label for="sim-ack">Acknowledged after (minutes)</label>
            <input
              id="sim-ack"
              type="number"
              min="0"
              inputMode="numeric"
              value={ackAfter}
              aria-describedby="sim-ack-hint"
              onInput={(e) => setAckAfter((e.currentTarget as HTMLInputElement).value)}
            />
            <p class="hint" id="sim-ack-hint">
              Empty: nobody acknowledges.
            </p>
          </div>
          <div class="stack">
            <label for="sim-horizon">Look ahead (hours)</label>
            <input
              id="sim-horizon"
              type="number"
              min="1"
              max="168"
              required
              value={horizon}
              onInput={(e) => setHorizon((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
        </div>
        <ErrorMessage text={failure} />
        <button type="submit" disabled={busy}>
          Run dry-run
        </button>
      </form>
      {result ? (
        <>
          <p role="status">
            {result.pages} {result.pages === 1 ? 'page' : 'pages'} in the first {horizon} hours
            {result.truncated ? ' (the timeline is cut short)' : ''}.
          </p>
          <ol class="timeline" aria-label="Dry-run timeline">
            {result.timeline.map((e, i) => (
              <li key={i} class={`timeline-${e.kind}`}>
                <span class="timeline-at">
                  <strong>{offsetText(e.at, result.start)}</strong>{' '}
                  <time dateTime={e.at}>{dateTimeLabel(Date.parse(e.at), zone)}</time>
                </span>
                <span class="timeline-what">{entryText(e, names)}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/**
 * Escalation policies: the list, and one policy's tiers and targets (names resolved) with the dry-run
 * (POST /escalation-policies/{id}/simulate) drawn as a vertical timeline of who would be paged, when.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, useLoaded, type PageProps } from '../components.js';
import { usePage } from '../router.js';
import { dateTimeLabel, viewerZone } from '../zoned-time.js';

type Policy = components['schemas']['Policy'];
type Target = Policy['tiers'][number]['targets'][number];
type Simulation = components['schemas']['Simulation'];
type SimulationEntry = components['schemas']['SimulationEntry'];
type Severity = Simulation['severity'];

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const satisfies readonly Severity[];

export function PoliciesPage(props: PageProps) {
  const id = usePage().split('/')[1];
  return id ? <PolicyDetail key={id} id={id} {...props} /> : <PolicyList {...props} />;
}

const loadPolicies = () => call(api.GET('/escalation-policies')).then((answer) => answer.policies);

function PolicyList({ onFailure }: PageProps) {
  const { data: policies, failure } = useLoaded(loadPolicies, onFailure);
  return (
    <>
      <PageTitle>Escalation policies</PageTitle>
      <ErrorMessage text={failure} />
      {policies === null ? (
        failure ? null : (
          <p>Loading policies…</p>
        )
      ) : policies.length === 0 ? (
        <p>No escalation policies yet (an admin creates them with POST /escalation-policies).</p>
      ) : (
        <ul class="plain-list">
          {policies.map((p) => (
            <li key={p.id}>
              <Link to={`policies/${p.id}`}>{p.name}</Link>{' '}
              <span class="hint-inline">
                ({p.tiers.length} {p.tiers.length === 1 ? 'tier' : 'tiers'}
                {p.is_default ? ', the default' : ''})
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Names of the users and schedules a policy's targets and a simulation's pages point at. */
interface Names {
  users: Map<string, string>;
  schedules: Map<string, string>;
}

function targetText(t: Target | NonNullable<SimulationEntry['target']>, names: Names): string {
  if (t.type === 'user') return names.users.get(t.id) ?? 'a removed user';
  if (t.type === 'schedule')
    return `whoever is on call on ${names.schedules.get(t.id) ?? 'a removed schedule'}`;
  return `webhook ${t.url}`;
}

function PolicyDetail({ id, onFailure }: PageProps & { id: string }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [names, setNames] = useState<Names>({ users: new Map(), schedules: new Map() });
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([
      call(api.GET('/escalation-policies/{id}', { params: { path: { id } } })),
      call(api.GET('/users')),
      call(api.GET('/schedules')),
    ]).then(
      ([p, u, s]) => {
        setPolicy(p);
        setNames({
          users: new Map(u.users.map((x) => [x.id, x.name])),
          schedules: new Map(s.schedules.map((x) => [x.id, x.name])),
        });
      },
      (err: unknown) => {
        setFailure(errorText(err));
        onFailure(err);
      },
    );
  }, [id, onFailure]);

  if (!policy)
    return (
      <>
        <PageTitle>Escalation policy</PageTitle>
        <ErrorMessage text={failure} />
        {failure ? null : <p>Loading the policy…</p>}
      </>
    );

  return (
    <>
      <p class="crumb">
        <Link to="policies">All escalation policies</Link>
      </p>
      <PageTitle>{policy.name}</PageTitle>
      <section aria-labelledby="tiers">
        <h2 id="tiers">Tiers</h2>
        {policy.tiers.length === 0 ? (
          <p>No tiers: this policy pages nobody.</p>
        ) : (
          <ol class="tiers">
            {policy.tiers.map((tier, i) => (
              <li key={i}>
                <h3>
                  Tier {i + 1}: after {tier.delay_minutes} min
                </h3>
                <ul>
                  {tier.targets.map((t, j) => (
                    <li key={j}>{targetText(t, names)}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        )}
        <p class="hint">
          {policy.repeat > 0
            ? `The chain runs ${policy.repeat + 1} times, ${policy.repeat_delay_minutes} min apart.`
            : 'The chain runs once.'}
          {policy.ack_timeout_minutes !== null
            ? ` An acknowledged alert returns to new after ${policy.ack_timeout_minutes} min.`
            : ''}
          {policy.auto_resolve_minutes !== null
            ? ` Alerts resolve by themselves after ${policy.auto_resolve_minutes} min.`
            : ''}
        </p>
      </section>
      <DryRun policyId={id} names={names} onFailure={onFailure} />
    </>
  );
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

function DryRun({
  policyId,
  names,
  onFailure,
}: {
  policyId: string;
  names: Names;
  onFailure: (err: unknown) => void;
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
      <p class="hint">Who would be paged, when and how, for an alert triggering now. Nobody is paged.</p>
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

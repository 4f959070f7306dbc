/**
 * Escalation policies: the list with the escalation rules, and one policy's tiers and targets (names
 * resolved) with the dry-run drawn as a vertical timeline of who would be paged, when. Admins create and
 * edit policies and rules in editors loaded when first opened.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import { may } from '../api/roles.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, Link, PageTitle, useLoaded, type PageProps } from '../components.js';
import { lazyComponent } from '../lazy.js';
import { navigate, usePage } from '../router.js';
import { DryRun, targetText, type Names } from './dry-run.js';

type Policy = components['schemas']['Policy'];

const PolicyEditor = lazyComponent(() => import('./policy-editor.js').then((m) => m.PolicyEditor));
const EscalationRules = lazyComponent(() => import('./escalation-rules.js').then((m) => m.EscalationRules));

export function PoliciesPage(props: PageProps) {
  const id = usePage().split('/')[1];
  if (id === 'new') return <NewPolicy {...props} />;
  return id ? <PolicyDetail key={id} id={id} {...props} /> : <PolicyList {...props} />;
}

const loadPolicies = () => call(api.GET('/escalation-policies')).then((answer) => answer.policies);

function PolicyList({ session, onFailure }: PageProps) {
  const { data: policies, failure } = useLoaded(loadPolicies, onFailure);
  const mayCreate = may(session.role, 'POST /escalation-policies');
  return (
    <>
      <PageTitle>Escalation policies</PageTitle>
      <ErrorMessage text={failure} />
      {mayCreate ? (
        <p>
          <Link to="policies/new">New policy</Link>
        </p>
      ) : null}
      {policies === null ? (
        failure ? null : (
          <p>Loading policies…</p>
        )
      ) : policies.length === 0 ? (
        <p>No escalation policies yet.</p>
      ) : (
        <>
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
          <EscalationRules session={session} onFailure={onFailure} policies={policies} />
        </>
      )}
    </>
  );
}

/** Returns the users' and schedules' names, which targets and pages point at by id. */
function useNames(onFailure: (err: unknown) => void): { names: Names | null; failure: string | null } {
  const load = useCallback(
    () =>
      Promise.all([call(api.GET('/users')), call(api.GET('/schedules'))]).then(([u, s]) => ({
        users: new Map(u.users.map((x) => [x.id, x.name])),
        schedules: new Map(s.schedules.map((x) => [x.id, x.name])),
      })),
    [],
  );
  const { data, failure } = useLoaded(load, onFailure);
  return { names: data, failure };
}

function NewPolicy({ session, onFailure }: PageProps) {
  const { names, failure } = useNames(onFailure);
  if (!may(session.role, 'POST /escalation-policies'))
    return (
      <>
        <PageTitle>New escalation policy</PageTitle>
        <p>Only an admin creates escalation policies.</p>
      </>
    );
  return (
    <>
      <p class="crumb">
        <Link to="policies">All escalation policies</Link>
      </p>
      <PageTitle>New escalation policy</PageTitle>
      <ErrorMessage text={failure} />
      {names ? (
        <PolicyEditor
          policy={null}
          names={names}
          onFailure={onFailure}
          onSaved={(p) => navigate(`policies/${p.id}`)}
          onCancel={() => navigate('policies')}
        />
      ) : failure ? null : (
        <p>Loading…</p>
      )}
    </>
  );
}

function PolicyDetail({ id, session, onFailure }: PageProps & { id: string }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const { names, failure: namesFailure } = useNames(onFailure);
  const mayEdit = may(session.role, 'PUT /escalation-policies/{id}');

  useEffect(() => {
    call(api.GET('/escalation-policies/{id}', { params: { path: { id } } })).then(
      setPolicy,
      (err: unknown) => {
        setFailure(errorText(err));
        onFailure(err);
      },
    );
  }, [id, onFailure]);

  if (!policy || !names)
    return (
      <>
        <PageTitle>Escalation policy</PageTitle>
        <ErrorMessage text={failure ?? namesFailure} />
        {failure || namesFailure ? null : <p>Loading the policy…</p>}
      </>
    );

  return (
    <>
      <p class="crumb">
        <Link to="policies">All escalation policies</Link>
      </p>
      <PageTitle>{policy.name}</PageTitle>
      {editing ? (
        <PolicyEditor
          policy={policy}
          names={names}
          onFailure={onFailure}
          onSaved={(p) => {
            setPolicy(p);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <PolicyView policy={policy} names={names} />
          {mayEdit ? (
            <p>
              <button type="button" onClick={() => setEditing(true)}>
                Edit policy
              </button>
            </p>
          ) : null}
          <DryRun policyId={id} names={names} onFailure={onFailure} />
        </>
      )}
    </>
  );
}

function PolicyView({ policy, names }: { policy: Policy; names: Names }) {
  return (
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
        {policy.is_default ? ' Alerts no rule matches go to this policy.' : ''}
      </p>
    </section>
  );
}

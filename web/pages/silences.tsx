/**
 * Silences (maintenance windows): the ones in force and to come, each with its matchers, its window in
 * the viewer's zone (or its recurrence), who created it and why, and Expire for responders and admins;
 * those that ended in the last week under their own heading, folded; and the form to create one
 * (silence-form.tsx). Viewers see the list only; the API refuses them the rest anyway.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { Operation } from '../api/access.js';
import { may } from '../api/roles.js';
import { ErrorMessage, PageTitle, useReloadable, type PageProps } from '../components.js';
import { BASE } from '../router.js';
import {
  actorText,
  endedAt,
  matcherText,
  recurrenceText,
  splitSilences,
  type Silence,
} from '../silence-draft.js';
import { When } from './alert-when.js';
import { SilenceForm } from './silence-form.js';

const loadSilences = async () => (await call(api.GET('/silences'))).silences;

export function SilencesPage({ session, onFailure }: PageProps) {
  const { data, failure, setFailure, reload } = useReloadable(loadSilences, onFailure);
  const [notice, setNotice] = useState('');
  const mayCreate = may(session.role, 'POST /silences' satisfies Operation);
  const mayExpire = may(session.role, 'DELETE /silences/{id}' satisfies Operation);
  const now = Date.now();
  const { current, ended } = splitSilences(data ?? [], now);

  const expire = async (s: Silence) => {
    const what = s.matchers.map(matcherText).join(', ');
    if (!window.confirm(`Expire the silence on ${what} now? The alerts it holds page again from tier 1.`))
      return;
    setFailure(null);
    try {
      await call(api.DELETE('/silences/{id}', { params: { path: { id: s.id } } }));
      setNotice(`Expired the silence on ${what}.`);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  return (
    <>
      <PageTitle>Silences</PageTitle>
      <p class="hint">
        A silenced alert is still recorded and grouped but pages nobody until the silence ends; if nobody has
        acknowledged it by then, escalation starts from the first tier.
      </p>
      <p class="status" role="status">
        {notice}
      </p>
      <section aria-labelledby="current-silences">
        <h2 id="current-silences">Active and upcoming</h2>
        <ErrorMessage text={failure} />
        {data === null ? (
          <p>Loading silences…</p>
        ) : current.length === 0 ? (
          <p>No silence is active or upcoming.</p>
        ) : (
          <SilenceList
            label="Active and upcoming silences"
            silences={current}
            now={now}
            action={
              mayExpire ? (s) => <ExpireButton silence={s} onExpire={() => void expire(s)} /> : undefined
            }
          />
        )}
        {ended.length > 0 ? (
          <details class="ended-silences">
            <summary>Ended in the last week ({ended.length})</summary>
            <SilenceList label="Silences ended in the last week" silences={ended} now={now} />
          </details>
        ) : null}
      </section>
      {mayCreate ? (
        <SilenceForm
          onCreated={(created) => {
            // The address's ?service= pre-filled the form that is now used up.
            window.history.replaceState(null, '', `${BASE}/silences`);
            const held = created.alerts.length;
            setNotice(
              `Created the silence on ${created.matchers.map(matcherText).join(', ')}; it holds ${held} open alert${held === 1 ? '' : 's'} now.`,
            );
            void reload();
          }}
          onFailure={onFailure}
        />
      ) : null}
    </>
  );
}

function ExpireButton({ silence, onExpire }: { silence: Silence; onExpire: () => void }) {
  return (
    <button type="button" class="secondary" aria-describedby={`silence-${silence.id}`} onClick={onExpire}>
      Expire
    </button>
  );
}

function SilenceList({
  label,
  silences,
  now,
  action,
}: {
  label: string;
  silences: Silence[];
  now: number;
  /** The control beside each silence still in force, when the role may act on it. */
  action?: ((s: Silence) => ComponentChildren) | undefined;
}) {
  return (
    <ul class="keys silences" aria-label={label}>
      {silences.map((s) => (
        <li key={s.id}>
          <div id={`silence-${s.id}`} class="silence">
            <p class="matchers-text">
              {s.matchers.map((m, i) => (
                <code key={i}>{matcherText(m)}</code>
              ))}
            </p>
            <p>
              <span class={`badge state-${s.state}`}>{stateText(s)}</span> <Window silence={s} now={now} />
            </p>
            <p class="hint">
              By {actorText(s.created_by)}: “{s.reason}”
              {s.deleted_by ? ` · expired by ${actorText(s.deleted_by)}` : ''}
            </p>
          </div>
          {action && (s.state === 'active' || s.state === 'pending') ? action(s) : null}
        </li>
      ))}
    </ul>
  );
}

const stateText = (s: Silence) =>
  s.recurrence && s.state !== 'deleted' && s.state !== 'expired'
    ? `recurring, ${s.state === 'active' ? 'active now' : 'between occurrences'}`
    : { pending: 'upcoming', active: 'active', expired: 'ended', deleted: 'expired early' }[s.state];

/** When it holds: its window, or its recurrence and the range its occurrences fall in; when it ended. */
function Window({ silence: s, now }: { silence: Silence; now: number }) {
  if (s.state === 'expired' || s.state === 'deleted') {
    return (
      <>
        ended <When at={new Date(endedAt(s)).toISOString()} now={now} />
      </>
    );
  }
  return (
    <>
      {s.recurrence ? `${recurrenceText(s.recurrence)}, ` : ''}
      {s.state === 'active' && !s.recurrence ? 'since' : 'from'} <When at={s.starts_at} now={now} /> until{' '}
      <When at={s.ends_at} now={now} />
    </>
  );
}

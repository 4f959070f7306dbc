/**
 * The alert's live view: where its escalation stands (next tier and when, the last tier paged) and its
 * SLA deadlines with whether they are met, at risk or breached. Once its workflow has ended there is no
 * live view: the SLA is then judged from the recorded times.
 */
import type { components } from '../api/schema.js';
import { settledSla, slaStandingText, type SlaStanding } from '../alert-text.js';
import { durationText } from '../relative-time.js';
import { When } from './alert-when.js';

type AlertDetail = components['schemas']['AlertDetail'];
type Live = NonNullable<AlertDetail['live']>;

function tierText(t: { tier: number; loop: number }): string {
  return `Tier ${t.tier + 1} (loop ${t.loop + 1})`;
}

/** Why no tier is next. */
function noNextTier(live: Live): string {
  if (live.group?.role === 'member') return 'None here: its group’s leading alert escalates for it';
  if (!live.escalation.policy) return 'None: no escalation policy matched, nobody is paged';
  if (live.snoozedUntil) return 'None while snoozed';
  if (live.silencedUntil) return 'None while silenced';
  if (live.state !== 'new') return `None: escalation stopped (${live.state})`;
  return 'None: every tier and loop has been paged';
}

function Standing({ standing }: { standing: SlaStanding }) {
  return <strong class={`sla sla-${standing}`}>{slaStandingText(standing)}</strong>;
}

/** An SLA's standing, then when it was done (met, or breached late) or the deadline still ahead. */
function SlaLine(props: { standing: SlaStanding; done: string | null; deadline?: string; now: number }) {
  const { standing, done, deadline, now } = props;
  const settled = standing === 'met' || (standing === 'breached' && done !== null);
  const at = settled ? done : deadline;
  return (
    <>
      <Standing standing={standing} />
      {at ? (
        <>
          {' '}
          · {settled ? 'done' : 'by'} <When at={at} now={now} />
        </>
      ) : null}
    </>
  );
}

export function AlertLive({ alert, now }: { alert: AlertDetail; now: number }) {
  const live = alert.live;
  return (
    <section aria-labelledby="live-heading" class="panel">
      <h2 id="live-heading">Escalation and SLA</h2>
      {live ? <LiveFacts live={live} now={now} /> : <SettledFacts alert={alert} />}
    </section>
  );
}

function LiveFacts({ live, now }: { live: Live; now: number }) {
  const { next, lastFired, policy } = live.escalation;
  const { deadlines, targets } = live.sla;
  return (
    <dl class="facts-list">
      <dt>Policy</dt>
      <dd>{policy ? policy.name : 'none'}</dd>
      {live.snoozedUntil ? (
        <>
          <dt>Snoozed until</dt>
          <dd>
            <When at={live.snoozedUntil} now={now} />, then it escalates again from tier 1
          </dd>
        </>
      ) : null}
      {live.silencedUntil ? (
        <>
          <dt>Silenced until</dt>
          <dd>
            <When at={live.silencedUntil} now={now} />, then, if still new, it escalates from tier 1
          </dd>
        </>
      ) : null}
      <dt>Next tier</dt>
      <dd class="next-tier">
        {next ? (
          <>
            {tierText(next)} at <When at={next.at} now={now} />
          </>
        ) : (
          noNextTier(live)
        )}
      </dd>
      {lastFired ? (
        <>
          <dt>Last tier paged</dt>
          <dd>
            {tierText(lastFired)} at <When at={lastFired.at} now={now} />
          </dd>
        </>
      ) : null}
      <dt>Acknowledge within {durationText(targets.ttaMs)}</dt>
      <dd>
        <SlaLine
          standing={live.sla.tta}
          done={live.acknowledgedAt}
          deadline={deadlines.tta_breached}
          now={now}
        />
      </dd>
      <dt>Resolve within {durationText(targets.ttrMs)}</dt>
      <dd>
        <SlaLine standing={live.sla.ttr} done={live.resolvedAt} deadline={deadlines.ttr_breached} now={now} />
      </dd>
    </dl>
  );
}

function SettledFacts({ alert }: { alert: AlertDetail }) {
  const tta = settledSla(alert.tta_ms, alert.sla_targets.tta_ms);
  const ttr = settledSla(alert.ttr_ms, alert.sla_targets.ttr_ms);
  return (
    <>
      <p>Its workflow has ended: nothing more will be paged or changed.</p>
      <dl class="facts-list">
        {alert.tta_ms !== null || tta ? (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {alert.tta_ms === null ? 'never' : `after ${durationText(alert.tta_ms)}`}
              {tta ? (
                <>
                  {' '}
                  · <Standing standing={tta} />
                </>
              ) : null}
            </dd>
          </>
        ) : null}
        {alert.ttr_ms !== null || ttr ? (
          <>
            <dt>Resolved</dt>
            <dd>
              {alert.ttr_ms === null ? 'never' : `after ${durationText(alert.ttr_ms)}`}
              {ttr ? (
                <>
                  {' '}
                  · <Standing standing={ttr} />
                </>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
    </>
  );
}

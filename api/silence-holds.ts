/**
 * Which silence holds an alert, and telling open alerts about silences created and deleted. Shared by
 * the trigger (api/trigger.ts: a new alert carries its silence in its input) and /silences.
 */
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import { silenceFor, silenceMatcher, type SilenceFacts } from '../domain/silence';
import { windowsFrom } from '../domain/silence-recurrence';
import type { Queryable } from '../store/db';
import { listLiveSilences, listOpenAlerts, type OpenAlertRow, type SilenceRow } from '../store/silences';
import { isStoreUnreachable } from '../store/unreachable';
import { silenceSignal, unsilenceSignal, type SilenceHold } from '../workflows/messages';
import { alertHandle } from './alert-actions';
import type { PlanReads } from './alert-plan';

/** Returns the silence's windows from `now` on (a recurring one's occurrences holding now and next). */
export const windowsOf = (s: SilenceRow, now: number) =>
  windowsFrom({ startsAt: s.starts_at.getTime(), endsAt: s.ends_at.getTime() }, s.recurrence, now);

/** Returns the hold an alert's workflow is given for this silence, or undefined when it holds nothing more. */
export function holdOf(s: SilenceRow, now: number): SilenceHold | undefined {
  const [first, ...rest] = windowsOf(s, now);
  if (!first) return undefined;
  return {
    id: s.id,
    from: first.startsAt,
    until: first.endsAt,
    reason: s.reason,
    ...(rest.length ? { then: rest.map((w) => ({ from: w.startsAt, until: w.endsAt })) } : {}),
  };
}

/** Returns the silence that holds (or is next to hold) an alert with these facts, of the given live ones. */
export function holdFor(
  silences: readonly SilenceRow[],
  facts: SilenceFacts,
  now: number,
): SilenceHold | undefined {
  const holds = silences
    .filter((s) => silenceMatcher(s.matchers)(facts))
    .map((s) => holdOf(s, now))
    .filter((h) => h !== undefined)
    .map((hold) => ({ hold, startsAt: hold.from, endsAt: hold.until }));
  return silenceFor(holds, now)?.hold;
}

/**
 * Returns the silence a new alert is triggered with, or undefined. Postgres unreachable: the silences
 * last read (the plan cache's fallback), else none, and the alert pages as it would have (a page too many
 * beats an outage that silences every alert).
 */
export async function triggerHold(
  db: Queryable,
  reads: PlanReads | undefined,
  facts: SilenceFacts,
  now: number,
): Promise<SilenceHold | undefined> {
  try {
    // The plan cache's copy when there is one (no query per alert in a storm), else the store.
    const live = reads?.liveSilences ? await reads.liveSilences() : await listLiveSilences(db, new Date(now));
    return holdFor(live, facts, now);
  } catch (err) {
    if (isStoreUnreachable(err)) return undefined;
    throw err;
  }
}

/** Returns the open alerts the silence's matchers match. */
export async function openAlertsMatching(
  db: Queryable,
  matchers: SilenceRow['matchers'],
): Promise<OpenAlertRow[]> {
  const matches = silenceMatcher(matchers);
  return (await listOpenAlerts(db)).filter((a) => matches(a));
}

// Signals sent at a time: a silence over thousands of open alerts must not open thousands of requests.
const SIGNALS_AT_ONCE = 32;

async function each(
  alerts: readonly OpenAlertRow[],
  send: (a: OpenAlertRow) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < alerts.length; i += SIGNALS_AT_ONCE) {
    await Promise.all(
      alerts.slice(i, i + SIGNALS_AT_ONCE).map((a) =>
        send(a).catch((err: unknown) => {
          // Its workflow has completed (resolved and past its reopen window): nothing to hold.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }),
      ),
    );
  }
}

/** Tells each open alert the silence matches that it is held (from its start, if still to come). */
export async function silenceOpenAlerts(
  workflows: WorkflowClient,
  silence: SilenceRow,
  alerts: readonly OpenAlertRow[],
  now: number,
): Promise<void> {
  const hold = holdOf(silence, now);
  if (!hold) return;
  await each(alerts, (a) => alertHandle(workflows, a).signal(silenceSignal, hold));
}

/**
 * Tells each open alert the deleted silence matched that it is no longer held by it: held by another
 * live silence that matches it instead, or escalating again from tier 1 if still new.
 */
export async function unsilenceOpenAlerts(
  workflows: WorkflowClient,
  deleted: SilenceRow,
  alerts: readonly OpenAlertRow[],
  others: readonly SilenceRow[],
  now: number,
): Promise<void> {
  const rest = others.filter((s) => s.id !== deleted.id);
  await each(alerts, (a) => {
    const replacement = holdFor(rest, a, now);
    return alertHandle(workflows, a).signal(unsilenceSignal, {
      id: deleted.id,
      ...(replacement ? { replacement } : {}),
    });
  });
}

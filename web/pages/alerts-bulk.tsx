/**
 * The Alerts list's bulk actions for responders and admins: Acknowledge, Resolve or Escalate the
 * selected alerts, one call per alert with its own Idempotency-Key, then which went through and which
 * did not and why; the failed ones stay selected.
 */
import { useState } from 'preact/hooks';
import { ApiError, api, call, errorText, type Alert } from '../api/client.js';
import { bulkSummary, eachLimited, keepFailed, type BulkResult } from '../bulk.js';
import { idempotencyKey } from '../idempotency.js';

/** The bulk buttons, in order. */
const BULK_ACTIONS = [
  { action: 'acknowledge', label: 'Acknowledge', done: 'Acknowledged', past: 'acknowledged' },
  { action: 'resolve', label: 'Resolve', done: 'Resolved', past: 'resolved' },
  { action: 'escalate', label: 'Escalate', done: 'Escalated', past: 'escalated' },
] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];

/** A few at a time: enough to be quick, few enough not to meet the API's rate limit. */
const AT_ONCE = 4;

/** Returns how one alert's call went. */
async function actOn(alert: Alert, { action, past }: BulkAction): Promise<BulkResult> {
  try {
    const answer: object = await call(
      api.POST(`/alerts/{id}/${action}`, {
        params: { path: { id: alert.id } },
        body: {},
        headers: { 'Idempotency-Key': idempotencyKey() },
      }),
    );
    const text = 'queued' in answer ? `${past}: queued, it applies when a worker runs the alert` : past;
    return { id: alert.id, summary: alert.summary, ok: true, text };
  } catch (err) {
    const status = err instanceof ApiError && err.status > 0 ? ` (${err.status})` : '';
    return {
      id: alert.id,
      summary: alert.summary,
      ok: false,
      text: `not ${past}${status}: ${errorText(err)}`,
    };
  }
}

export function BulkBar({
  chosen,
  selected,
  onSelected,
  onDone,
  onFailure,
}: {
  /** The selected alerts shown, in the list's order: what an action applies to. */
  chosen: Alert[];
  selected: ReadonlySet<string>;
  onSelected: (next: Set<string>) => void;
  onDone: () => Promise<void>;
  onFailure: (err: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<{ summary: string; results: BulkResult[] } | null>(null);

  const run = async (what: BulkAction) => {
    if (busy || chosen.length === 0) return;
    setBusy(true);
    setReport(null);
    const results = await eachLimited(chosen, AT_ONCE, (alert) => actOn(alert, what));
    onSelected(keepFailed(selected, results));
    setReport({ summary: bulkSummary(what.done, results), results });
    setBusy(false);
    try {
      await onDone();
    } catch (err) {
      onFailure(err);
    }
  };

  return (
    <div class="bulk" role="group" aria-labelledby="bulk-count">
      <p id="bulk-count" class="bulk-count">
        {chosen.length === 1 ? '1 alert selected' : `${chosen.length} alerts selected`}
      </p>
      <div class="actions">
        {BULK_ACTIONS.map((a) => (
          <button
            key={a.action}
            type="button"
            disabled={busy || chosen.length === 0}
            onClick={() => void run(a)}
          >
            {a.label} selected
          </button>
        ))}
      </div>
      <div role="status" class="bulk-report">
        {report ? (
          <>
            <p>{report.summary}</p>
            <ul aria-label="What happened to each alert">
              {report.results.map((r) => (
                <li key={r.id} class={r.ok ? undefined : 'failed'}>
                  “{r.summary}”: {r.text}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </div>
  );
}

/**
 * Bulk actions on the Alerts list: one call per alert (each with its own Idempotency-Key), a few at a
 * time, and what to tell the user and keep selected afterwards.
 */

/** How one alert's call went: `text` says why when it failed. */
export interface BulkResult {
  id: string;
  summary: string;
  ok: boolean;
  text: string;
}

/** Runs `work` for each item, at most `limit` at once; returns the answers in the items' order. */
export async function eachLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const answers: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      answers[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return answers;
}

/** Returns the selection after a bulk action: the ones that failed stay selected, to try again. */
export function keepFailed(selected: ReadonlySet<string>, results: readonly BulkResult[]): Set<string> {
  const done = new Set(results.filter((r) => r.ok).map((r) => r.id));
  return new Set([...selected].filter((id) => !done.has(id)));
}

/** Returns the one-line summary of a bulk action ("Acknowledged 2 of 3 alerts; 1 failed."). */
export function bulkSummary(done: string, results: readonly BulkResult[]): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.length - ok;
  const noun = results.length === 1 ? 'alert' : 'alerts';
  if (failed === 0) return `${done} ${ok} ${noun}.`;
  return `${done} ${ok} of ${results.length} ${noun}; ${failed} failed.`;
}

/** Returns the ids of `shown` that are selected, in the list's order. */
export function selectedShown(shown: readonly { id: string }[], selected: ReadonlySet<string>): string[] {
  return shown.filter((a) => selected.has(a.id)).map((a) => a.id);
}

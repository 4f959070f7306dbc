/** Running lanes of work concurrently, each lane's items one after another, with a bound on how many run. */

/**
 * Runs `run` on every index of every lane and returns the results by index. At most `limit` lanes are in
 * flight at once; a lane's items run strictly in order. After the first failure no further item starts
 * (later items of a failed lane would act on an alert its earlier event did not reach); once the items
 * already running have settled, the first error is thrown.
 */
export async function runLanes<T>(
  lanes: readonly (readonly number[])[],
  limit: number,
  run: (index: number) => Promise<T>,
): Promise<T[]> {
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
  const results: T[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < lanes.length) {
      const lane = lanes[next++]!;
      for (const index of lane) {
        if (failure) return;
        try {
          results[index] = await run(index);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, lanes.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Starts a test file's peers (the harness, a browser, a receiver, an identity provider) at once. If one
 * fails to start (Chromium slow to launch on a loaded machine), the ones that did start are closed
 * before the error goes on: the file's after() cannot close what was never assigned, and a server left
 * listening keeps the test process alive until CI's deadline.
 */
type Closable = { close(): Promise<unknown> };

export async function startTogether<T extends readonly Closable[]>(
  ...starts: { [K in keyof T]: Promise<T[K]> }
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.close()] : [])));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<Closable>).value) as unknown as T;
}

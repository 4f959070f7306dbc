/** A bound on a wait for another system: the answer, or a DeadlineExceeded once `ms` have passed without one. */

export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no answer in ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/** Resolves as `work` does, or rejects with DeadlineExceeded after `ms` (the work itself goes on unobserved). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

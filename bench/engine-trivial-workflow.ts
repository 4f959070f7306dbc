/**
 * The engine benchmark's baseline: the least a workflow started per event can cost on the same dev
 * server. It is started by signal-with-start, as Klaxon's alerts are, runs one activity that does
 * nothing, and completes. Bundled by bench/engine-trivial-worker.ts.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { trivialActivities } from './engine-trivial-activities';
import { pokeSignal } from './engine-trivial-messages';

const { noop } = proxyActivities<typeof trivialActivities>({ startToCloseTimeout: '1 minute' });

/** Takes the signal, runs the no-op activity once, completes. */
export async function trivialWorkflow(): Promise<void> {
  setHandler(pokeSignal, () => {});
  await noop();
}

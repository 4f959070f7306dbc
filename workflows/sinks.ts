/**
 * What alert workflows tell the worker process as they run, through Temporal sinks: calls that leave the
 * workflow sandbox, add no command to the history and are not made again when a workflow is replayed
 * (after a cache eviction or on another worker), so a tier counted once stays counted once. The worker
 * implements them with its Prometheus counters (worker/sinks.ts).
 */
import type { Sinks } from '@temporalio/workflow';

export interface KlaxonSinks extends Sinks {
  escalation: {
    /** A tier fired (0-based tier, as the policy counts it). */
    tierFired(tier: number): void;
    /** The last tier (and its repeats) fired with the alert still unacknowledged. */
    exhausted(): void;
  };
}

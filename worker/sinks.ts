/** The worker's side of the workflows' sinks (workflows/sinks.ts): Prometheus counters. */
import type { InjectedSinks } from '@temporalio/worker';
import { escalationsExhausted, tiersFired } from '../runtime/metrics';
import type { KlaxonSinks } from '../workflows/sinks';

export const klaxonSinks: InjectedSinks<KlaxonSinks> = {
  escalation: {
    tierFired: { fn: (_info, tier) => tiersFired.inc({ tier: String(tier + 1) }) },
    exhausted: { fn: () => escalationsExhausted.inc() },
  },
};

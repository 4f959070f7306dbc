/**
 * One per schedule with handoff notices on: sleeps on a durable timer until the next handoff, tells the
 * incoming people they are on call, and recomputes whenever the schedule or its overrides change.
 */
import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { scheduleChangedSignal } from './messages';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Each handoff adds a handful of events; start afresh well before history grows large.
const HANDOFFS_PER_RUN = 100;

export async function scheduleHandoffWorkflow(input: { scheduleId: string }): Promise<void> {
  let changes = 0;
  setHandler(scheduleChangedSignal, () => {
    changes += 1;
  });
  for (let i = 0; i < HANDOFFS_PER_RUN; i++) {
    const seen = changes;
    const plan = await acts.planHandoff({ scheduleId: input.scheduleId, after: new Date(Date.now()).toISOString() });
    if (plan.status !== 'next') {
      // Turned off or deleted: stop; turning it on again starts a new run (signal-with-start).
      if (plan.status !== 'none') return;
      await condition(() => changes !== seen);
      continue;
    }
    const wait = Date.parse(plan.at) - Date.now();
    if (wait > 0 && (await condition(() => changes !== seen, wait))) continue;
    await acts.notifyHandoff({ scheduleId: input.scheduleId, at: plan.at });
  }
  await continueAsNew<typeof scheduleHandoffWorkflow>(input);
}

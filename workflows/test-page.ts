/**
 * One test page to one contact method, asked for from the console or the API. A workflow rather than a
 * call from the API: the worker holds the notifiers (and the outbound guard), the page is retried and
 * recorded like any other, and the Temporal UI shows it.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities, TestPageInput, TestPageResult } from '../activities';
import { pagesTaskQueue } from './messages';

export async function testPageWorkflow(input: TestPageInput): Promise<TestPageResult> {
  // Beside the pages, not behind a storm of records; a few quick tries, since someone is waiting for it.
  const acts = proxyActivities<Activities>({
    taskQueue: pagesTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 seconds',
      maximumAttempts: 3,
    },
  });
  return acts.sendTestPage(input);
}

/** The trivial workflow's names, shared by its worker, its workflow and the benchmark that starts it. */
import { defineSignal } from '@temporalio/workflow';

export const TRIVIAL_WORKFLOW_TYPE = 'trivialWorkflow';
export const TRIVIAL_TASK_QUEUE = 'engine-trivial';

/** The signal each start carries, like the event an alert's signal-with-start carries. */
export const pokeSignal = defineSignal<[{ eventId: string }]>('poke');

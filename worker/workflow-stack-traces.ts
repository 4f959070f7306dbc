/**
 * Preloaded by `npm run worker:prod` (`node --require ./dist/worker/workflow-stack-traces.js`): turns off
 * the Temporal SDK's per-promise stack capture in the workflow thread unless WORKFLOW_STACK_TRACES=on.
 *
 * The SDK (1.24, lib/workflow/vm-shared.js GlobalHandlers.setPromiseHook) installs a V8 promise hook
 * in its workflow thread that, for every promise a workflow creates, builds an Error, formats its stack
 * through a source-mapped prepareStackTrace and keeps it until the promise settles; that is what the
 * stack-trace query (the Temporal UI's "Stack Trace" tab) answers from. No worker option or variable turns
 * it off. Its one off state is the fallback for runtimes without v8.promiseHooks.createHook (Bun, old
 * Node): the hook is not installed and the query answers "Workflow stack traces are not enabled on this
 * worker". This module makes createHook throw in worker threads, so the SDK takes that path (and warns
 * once on stderr); the main thread, where Klaxon's own code runs, is left alone.
 */
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { loadConfig } from '../runtime/config';

if (!isMainThread && loadConfig().WORKFLOW_STACK_TRACES === 'off') {
  v8.promiseHooks.createHook = () => {
    throw new Error('workflow stack traces are off (WORKFLOW_STACK_TRACES)');
  };
}

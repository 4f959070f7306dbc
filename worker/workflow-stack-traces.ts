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
 * worker". This module makes createHook throw for that one caller in worker threads, so the SDK takes
 * that path (and warns once on stderr).
 *
 * Only that caller: Node's own AsyncLocalStorage installs its promise hook through the same function,
 * and the SDK keeps each workflow's current CancellationScope in an AsyncLocalStorage. Refusing Node too
 * would lose the scope across every await, and `condition(fn, timeout)` would then cancel the workflow's
 * root scope instead of its own timer (the workflow task fails, the next tier never pages). The main
 * thread, where Klaxon's own code runs, is left alone.
 */
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { loadConfig } from '../runtime/config';

/** The SDK method whose hook is refused. */
const SDK_CALLER = 'GlobalHandlers.setPromiseHook';

/**
 * The calling frames as `Type.method`, read from V8's structured call sites: the SDK replaces
 * Error.prepareStackTrace in this thread, so the formatted stack is not a stable thing to match.
 */
function callers(): string[] {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, sites) =>
    sites.map((s) => `${s.getTypeName() ?? ''}.${s.getMethodName() ?? s.getFunctionName() ?? ''}`);
  try {
    return new Error().stack as unknown as string[];
  } finally {
    Error.prepareStackTrace = saved;
  }
}

if (!isMainThread && loadConfig().WORKFLOW_STACK_TRACES === 'off') {
  const createHook = v8.promiseHooks.createHook.bind(v8.promiseHooks);
  v8.promiseHooks.createHook = (hooks) => {
    if (callers().includes(SDK_CALLER))
      throw new Error('workflow stack traces are off (WORKFLOW_STACK_TRACES)');
    return createHook(hooks);
  };
}

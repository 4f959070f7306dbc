/**
 * `npm run build` (after tsc): writes the workflow bundle every production worker loads (dist/ by
 * default, or the folder given), so no worker spends its start bundling workflows/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_WORKFLOW_BUNDLE } from '../runtime/project-root';
import { buildWorkflowBundle } from '../worker/workflow-bundle';

async function main(): Promise<void> {
  const out = process.argv[2]
    ? path.resolve(process.argv[2], path.basename(BUILT_WORKFLOW_BUNDLE))
    : BUILT_WORKFLOW_BUNDLE;
  const started = Date.now();
  // webpack's module list is noise in a build log; its warnings and errors are not.
  const quiet = () => {};
  const { code } = await buildWorkflowBundle({
    trace: quiet,
    debug: quiet,
    info: quiet,
    log: quiet,
    warn: console.warn,
    error: console.error,
  });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(
    `workflow bundle: ${path.relative(process.cwd(), out)} (${(code.length / 2 ** 20).toFixed(1)} MiB, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

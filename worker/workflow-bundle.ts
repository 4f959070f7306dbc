/**
 * The workflow code a worker runs, as one webpack bundle. `npm run build` writes it once
 * (scripts/build-workflow-bundle.ts) and every worker loads that file, instead of each worker bundling
 * workflows/ at start (seconds of CPU per start, and per restart while its alerts wait).
 */
import { existsSync } from 'node:fs';
import { bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import { BUILT_WORKFLOW_BUNDLE, COMPILED } from '../runtime/project-root';

/** The workflows' entry module (workflows/index.ts, or its compiled .js under dist/). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Returns the bundle of workflows/ as Worker.create takes it (code with its inline source map). */
export async function buildWorkflowBundle(logger?: Logger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...(logger ? { logger } : {}) });
}

/**
 * Returns the bundle for WORKFLOW_BUNDLE_PATH: that file; unset, the one `npm run build` wrote when this
 * is the compiled build (a dist/ without it is an incomplete build, refused rather than bundled at every
 * start); unset under tsx, undefined: workflows/ is bundled at start. Throws when the file is missing.
 */
export function workflowBundleOf(bundlePath: string | undefined): WorkflowBundleOption | undefined {
  const codePath = bundlePath ?? (COMPILED ? BUILT_WORKFLOW_BUNDLE : undefined);
  if (codePath === undefined) return undefined;
  if (!existsSync(codePath)) {
    const variable = bundlePath === undefined ? 'the compiled build expects it' : 'WORKFLOW_BUNDLE_PATH';
    throw new Error(`workflow bundle ${codePath} not found (${variable}): run \`npm run build\``);
  }
  return { codePath };
}

/**
 * Cold start of the time-skipping test server as the SDK sees it: from spawn to the first answered gRPC
 * call, through TestWorkflowEnvironment.createTimeSkipping. Compares the provisioned launcher (AppCDS,
 * C1-only JIT) with a plain `java -cp` start in the same run. `npm run bench:test-server`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, projectPath } from '../runtime/config';
import { resolveTestServer } from '../runtime/temporal-tools';

async function timeStart(executablePath: string): Promise<number> {
  const start = process.hrtime.bigint();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: executablePath } } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await env.teardown();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const config = loadConfig();
  const exe = await resolveTestServer({ toolsDir: projectPath(config.KLAXON_TOOLS_DIR), explicitPath: config.TEMPORAL_TEST_SERVER_PATH, log: () => {} });
  if (exe.type !== 'existing-path') throw new Error('no provisioned test server to measure');
  const libDir = path.join(path.dirname(path.dirname(exe.path)), 'lib');
  const plain = path.join(mkdtempSync(path.join(os.tmpdir(), 'klaxon-bench-')), 'plain-test-server');
  writeFileSync(plain, `#!/bin/sh\nexec java -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"\n`, { mode: 0o755 });
  const runs = Number(process.env.RUNS ?? 5);
  const tuned: number[] = [];
  const untuned: number[] = [];
  for (let i = 0; i < runs; i++) {
    tuned.push(await timeStart(exe.path));
    untuned.push(await timeStart(plain));
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`test server start, ${runs} runs each (spawn → first gRPC answer):`);
  console.log(`  provisioned launcher (AppCDS, C1, SerialGC): ${fmt(tuned)}`);
  console.log(`  plain java -cp:                              ${fmt(untuned)}`);
  console.log(`  ratio plain / provisioned: ${(median(untuned) / median(tuned)).toFixed(2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/** promtool and a real Prometheus, as `npm test` provisions them (KLAXON_TEST_PROMETHEUS). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PrometheusTools } from '../../runtime/prometheus-tools';
import { waitForPort } from '../../runtime/temporal-tools';
import { freePort } from './npm-start';
import { waitFor } from './world';

/** deploy/prometheus: the rules, their unit tests and the scrape config, as shipped. */
export const PROMETHEUS_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'prometheus');

/** Returns the tools `npm test` found; throws saying how to get them otherwise. */
export function prometheusTools(): PrometheusTools {
  const raw = process.env.KLAXON_TEST_PROMETHEUS;
  if (!raw)
    throw new Error(
      'KLAXON_TEST_PROMETHEUS is unset: run tests with `npm test`, which finds prometheus and promtool (PROMETHEUS_PATH)',
    );
  return JSON.parse(raw) as PrometheusTools;
}

export interface Outcome {
  status: number | null;
  /** stdout and stderr together: promtool reports problems on either, depending on the command. */
  output: string;
}

/** Runs promtool with `input` on its stdin. */
export function promtool(args: string[], input?: string): Outcome {
  const result = spawnSync(prometheusTools().promtool, args, {
    input,
    encoding: 'utf8',
    cwd: PROMETHEUS_DIR,
    timeout: 60_000,
  });
  if (result.error) throw new Error(`promtool ${args.join(' ')}`, { cause: result.error });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

export interface ScrapeJob {
  job: string;
  /** host:port, or several (one job, as a scaled service is scraped) */
  target: string | string[];
  metricsPath?: string;
}

export interface RunningPrometheus {
  url: string;
  /** The result of an instant query (data.result of /api/v1/query); throws when Prometheus refuses it. */
  query(expr: string): Promise<unknown[]>;
  /** GET /api/v1/<path> → data. */
  api(path: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts Prometheus on a free port scraping `jobs` every second (rules from `ruleFiles`), once it is ready. */
export async function startPrometheus({
  jobs,
  ruleFiles = [],
}: {
  jobs: ScrapeJob[];
  ruleFiles?: string[];
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: jobs.map((j) => ({
      job_name: j.job,
      metrics_path: j.metricsPath ?? '/metrics',
      static_configs: [{ targets: typeof j.target === 'string' ? [j.target] : j.target }],
    })),
  };
  // JSON is YAML: no serializer needed.
  writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheusTools().prometheus,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[prometheus] ${d.toString()}`));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 20_000);
    await waitFor(
      'prometheus ready',
      async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200,
      20_000,
    );
  } catch (err) {
    await close();
    throw err;
  }
  const api = async (p: string) => {
    const res = await fetch(`${url}/api/v1/${p}`);
    const body = (await res.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${p}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    api,
    async query(expr) {
      const data = (await api(`query?query=${encodeURIComponent(expr)}`)) as {
        resultType: string;
        result: unknown;
      };
      // A scalar or string result is one sample; vectors and matrices list theirs.
      return Array.isArray(data.result) && data.resultType !== 'scalar' && data.resultType !== 'string'
        ? data.result
        : [data.result];
    },
    close,
  };
}

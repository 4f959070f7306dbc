/**
 * Finds Prometheus Alertmanager and amtool for the tests that run Klaxon behind a real Alertmanager.
 * Same order as the Temporal tools: an explicit path, then PATH (Debian names the daemon
 * `prometheus-alertmanager`), then a previous build in the tools folder, then Debian's package when we
 * may install it, then `go install` from the Go module proxy.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { elapsed, findOnPath, run, tryAptInstall } from './temporal-tools';

export interface AlertmanagerTools {
  alertmanager: string;
  amtool: string;
}

/** Built by `go install` when neither PATH nor apt-get gives us one. */
export const ALERTMANAGER_MODULE_VERSION = 'v0.35.0';

function onPath(): AlertmanagerTools | undefined {
  const alertmanager = findOnPath('alertmanager') ?? findOnPath('prometheus-alertmanager');
  const amtool = findOnPath('amtool');
  return alertmanager && amtool ? { alertmanager, amtool } : undefined;
}

/** Returns the paths of alertmanager and amtool, provisioning them if needed; throws when no route works. */
export function resolveAlertmanager({ toolsDir, explicitPath, log }: { toolsDir: string; explicitPath?: string; log: (line: string) => void }): AlertmanagerTools {
  if (explicitPath) {
    const amtool = path.join(path.dirname(explicitPath), 'amtool');
    log(`alertmanager: using ALERTMANAGER_PATH=${explicitPath}`);
    return { alertmanager: path.resolve(explicitPath), amtool: existsSync(amtool) ? path.resolve(amtool) : (findOnPath('amtool') ?? amtool) };
  }
  const found = onPath();
  if (found) {
    log(`alertmanager: using ${found.alertmanager} from PATH`);
    return found;
  }
  const binDir = path.resolve(toolsDir, 'bin');
  const built = { alertmanager: path.join(binDir, 'alertmanager'), amtool: path.join(binDir, 'amtool') };
  if (existsSync(built.alertmanager) && existsSync(built.amtool)) {
    log(`alertmanager: reusing ${path.relative(process.cwd(), built.alertmanager)}`);
    return built;
  }
  if (tryAptInstall('prometheus-alertmanager', 'alertmanager', log)) {
    const installed = onPath();
    if (installed) return installed;
  }
  const go = findOnPath('go');
  if (!go) throw new Error('alertmanager: not on PATH, no previous build, apt-get unavailable and no Go to build it; set ALERTMANAGER_PATH');
  const start = process.hrtime.bigint();
  log(`alertmanager: building ${ALERTMANAGER_MODULE_VERSION} with go install (minutes the first time, once)`);
  for (const cmd of ['alertmanager', 'amtool']) {
    run(go, ['install', `github.com/prometheus/alertmanager/cmd/${cmd}@${ALERTMANAGER_MODULE_VERSION}`], { env: { ...process.env, GOBIN: binDir } });
  }
  log(`alertmanager: built with go in ${elapsed(start)}`);
  return built;
}

/**
 * Finds Prometheus and promtool for the tests that check Klaxon's alert rules and scrape it with a real
 * Prometheus. Same order as Alertmanager's: an explicit path, then PATH, then Debian's `prometheus`
 * package (which ships both) when we may install it. There is no build fallback: promtool is only
 * needed by tests, and a clear error naming PROMETHEUS_PATH is more use than minutes of `go install`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findOnPath, tryAptInstall } from './temporal-tools';

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
}

function onPath(): PrometheusTools | undefined {
  const prometheus = findOnPath('prometheus');
  const promtool = findOnPath('promtool');
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

/** Returns the paths of prometheus and promtool, installing them if we may; throws when no route works. */
export function resolvePrometheus({
  explicitPath,
  log,
}: {
  explicitPath?: string;
  log: (line: string) => void;
}): PrometheusTools {
  if (explicitPath) {
    // promtool ships next to prometheus in every release archive and package.
    const promtool = path.join(path.dirname(explicitPath), 'promtool');
    log(`prometheus: using PROMETHEUS_PATH=${explicitPath}`);
    return {
      prometheus: path.resolve(explicitPath),
      promtool: existsSync(promtool) ? path.resolve(promtool) : (findOnPath('promtool') ?? promtool),
    };
  }
  const found = onPath();
  if (found) {
    log(`prometheus: using ${found.prometheus} from PATH`);
    return found;
  }
  if (tryAptInstall('prometheus', 'prometheus', log)) {
    const installed = onPath();
    if (installed) return installed;
  }
  throw new Error(
    'prometheus: prometheus and promtool are not on PATH and apt-get could not install them (it needs root); ' +
      "install Debian/Ubuntu's `prometheus` package or a release from https://prometheus.io/download/ and set PROMETHEUS_PATH to its prometheus binary",
  );
}

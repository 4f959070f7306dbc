/**
 * Finds kubeconform for the test that validates deploy/kubernetes against the vendored schemas. Same order
 * as the other Go tools: an explicit path, then PATH, then a previous build in the tools folder, then
 * `go install` from the Go module proxy (about 20 s on two cores; GitHub's release downloads are not
 * reachable everywhere the tests run, the module proxy is).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { elapsed, findOnPath, run } from './temporal-tools';

/** Built by `go install` when neither KUBECONFORM_PATH nor PATH gives us one. */
export const KUBECONFORM_MODULE = 'github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0';

/**
 * Returns the path of kubeconform, building it if needed; throws when no route works. KUBECONFORM_PATH is
 * read here, not in runtime/config.ts: it is a test-only tool's location, not something Klaxon runs with.
 */
export function resolveKubeconform({
  toolsDir,
  explicitPath = process.env.KUBECONFORM_PATH,
  log,
}: {
  toolsDir: string;
  explicitPath?: string;
  log: (line: string) => void;
}): string {
  if (explicitPath) {
    log(`kubeconform: using KUBECONFORM_PATH=${explicitPath}`);
    return path.resolve(explicitPath);
  }
  const onPath = findOnPath('kubeconform');
  if (onPath) {
    log(`kubeconform: using ${onPath} from PATH`);
    return onPath;
  }
  const binDir = path.resolve(toolsDir, 'bin');
  const built = path.join(binDir, 'kubeconform');
  if (existsSync(built)) {
    log(`kubeconform: reusing ${path.relative(process.cwd(), built)}`);
    return built;
  }
  const go = findOnPath('go');
  if (!go)
    throw new Error(
      'kubeconform: not on PATH, no previous build and no Go to build it; set KUBECONFORM_PATH',
    );
  const start = process.hrtime.bigint();
  log(`kubeconform: building ${KUBECONFORM_MODULE} with go install (once)`);
  // go install writes the binary only when the build succeeded, so a partial build is never reused.
  run(go, ['install', KUBECONFORM_MODULE], { env: { ...process.env, GOBIN: binDir } });
  log(`kubeconform: built with go in ${elapsed(start)}`);
  return built;
}

/**
 * `npm run provision`: builds (or finds) the Temporal binaries ahead of time, printing one line per
 * step and how long each took. `npm start` and `npm test` call the same code on demand.
 */
import { loadConfig, projectPath } from '../runtime/config';
import { resolveTemporalCli, resolveTestServer } from '../runtime/temporal-tools';

async function main(): Promise<void> {
  const config = loadConfig();
  const toolsDir = projectPath(config.KLAXON_TOOLS_DIR);
  const log = (line: string) => console.log(`[provision] ${line}`);
  const which = new Set(process.argv.slice(2));
  const all = which.size === 0;
  if (all || which.has('test-server')) {
    const exe = await resolveTestServer({ toolsDir, explicitPath: config.TEMPORAL_TEST_SERVER_PATH, log });
    log(`test-server: ${exe.type === 'existing-path' ? exe.path : `SDK download into ${exe.downloadDir}`}`);
  }
  if (all || which.has('cli')) {
    const exe = await resolveTemporalCli({ toolsDir, explicitPath: config.TEMPORAL_CLI_PATH, log });
    log(`temporal-cli: ${exe.type === 'existing-path' ? exe.path : `SDK download into ${exe.downloadDir}`}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

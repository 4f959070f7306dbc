/**
 * `npm run build:web` (part of `npm run build`; `npm start` runs it when the output is missing or older
 * than web/): bundles the console (web/main.tsx and web/styles.css) with esbuild, minified, with source
 * map files and content-hashed names, into dist/web/assets/ (or <folder>/web/assets/ for a folder
 * given), and writes the index.html that loads them. esbuild already comes with tsx, so this adds no
 * toolchain and takes well under a second; tsc type-checks web/ with the rest of the project.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { BUILT_CONSOLE_DIR, PROJECT_ROOT } from '../runtime/project-root';

const WEB_DIR = path.join(PROJECT_ROOT, 'web');
const ENTRIES = { main: path.join(WEB_DIR, 'main.tsx'), styles: path.join(WEB_DIR, 'styles.css') };

export interface ConsoleBuild {
  dir: string;
  /** Asset file names under assets/, e.g. main-3FZ2J6QK.js. */
  script: string;
  stylesheet: string;
  /**
   * Sizes in bytes as served (before compression): the script counts main and every chunk it imports
   * statically (what the first page waits for), not the chunks loaded when a lazy page opens.
   */
  bytes: { script: number; stylesheet: number };
  ms: number;
}

/** Returns index.html: module script and stylesheet from assets/, nothing inline (the CSP allows none). */
function indexHtml(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>Klaxon</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/console/assets/${stylesheet}">
    <script type="module" src="/console/assets/${script}"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>The Klaxon console needs JavaScript.</noscript>
  </body>
</html>
`;
}

/**
 * Builds the console into `dir` (default dist/web). Written to a sibling folder first and moved into
 * place, so a server reading `dir` never sees half a build and two builds at once do not mix files.
 */
export async function buildConsole(dir: string = BUILT_CONSOLE_DIR): Promise<ConsoleBuild> {
  const started = Date.now();
  // Loaded here, not at the top: esbuild is a dev dependency, and the compiled start script that
  // imports this module is never asked to build in an image built without it.
  const esbuild = await import('esbuild');
  const staging = `${dir}.building-${process.pid}-${Date.now()}`;
  const assets = path.join(staging, 'assets');
  const result = await esbuild.build({
    entryPoints: ENTRIES,
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    // Pages few people open (the editors, Admin) are import()ed: they load when opened, so the first
    // page a responder sees at 3 a.m. does not wait for them.
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: PROJECT_ROOT,
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const script = outputs.find((f) => /^main-.*\.js$/.test(f));
  const stylesheet = outputs.find((f) => /^styles-.*\.css$/.test(f));
  if (!script || !stylesheet) throw new Error(`esbuild wrote no script or stylesheet: ${outputs.join(', ')}`);
  writeFileSync(path.join(staging, 'index.html'), indexHtml(script, stylesheet));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another build moved its output in first: it is built from the same sources.
    rmSync(staging, { recursive: true, force: true });
    if (
      (err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' &&
      (err as NodeJS.ErrnoException).code !== 'EEXIST'
    )
      throw err;
  }
  const size = (f: string) => statSync(path.join(dir, 'assets', f)).size;
  const eager = eagerScripts(result.metafile, script);
  return {
    dir,
    script,
    stylesheet,
    bytes: { script: eager.reduce((sum, f) => sum + size(f), 0), stylesheet: size(stylesheet) },
    ms: Date.now() - started,
  };
}

/** Returns the script file names the entry loads before it runs: itself and its static imports, transitively. */
function eagerScripts(metafile: Metafile, entry: string): string[] {
  const byName = new Map(Object.entries(metafile.outputs).map(([file, out]) => [path.basename(file), out]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const imported of byName.get(name)?.imports ?? [])
      if (imported.kind === 'import-statement') visit(path.basename(imported.path));
  };
  visit(entry);
  return [...seen];
}

/** Returns the newest modification time of the files under a folder (0 when it has none). */
function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }, 0);
}

/** Returns why the console in `dir` needs building (missing, or older than a file in web/), or null. */
export function consoleStaleness(dir: string = BUILT_CONSOLE_DIR): string | null {
  let built: number;
  try {
    built = statSync(path.join(dir, 'index.html')).mtimeMs;
  } catch {
    return 'not built yet';
  }
  return newestMtime(WEB_DIR) > built ? 'web/ changed since the last build' : null;
}

/** Builds the console when it is missing or stale; returns the build, or null when it was up to date. */
export async function ensureConsoleBuilt(
  dir: string = BUILT_CONSOLE_DIR,
  log: (line: string) => void = () => {},
): Promise<ConsoleBuild | null> {
  const why = consoleStaleness(dir);
  if (!why) return null;
  const build = await buildConsole(dir);
  log(`web console: built (${why}) in ${build.ms} ms, ${describeBuild(build)}`);
  return build;
}

export const describeBuild = (b: ConsoleBuild) =>
  `${b.script} ${(b.bytes.script / 1024).toFixed(1)} KiB, ${b.stylesheet} ${(b.bytes.stylesheet / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  // A folder argument is where `npm run build`'s output goes (like build-workflow-bundle.ts): <folder>/web.
  const dir = process.argv[2] ? path.resolve(process.argv[2], 'web') : BUILT_CONSOLE_DIR;
  const build = await buildConsole(dir);
  console.log(
    `web console: ${path.relative(process.cwd(), dir)} in ${build.ms} ms (${describeBuild(build)})`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * Where the project's files are, whether the code runs as TypeScript source (tsx, from the project root)
 * or compiled (`npm run build`: plain node from dist/, which mirrors the source tree one folder deeper).
 * Everything read from beside the code (package.json, sql/, deploy/, the prebuilt workflow bundle) is
 * found from here, so a path written relative to source does not silently point into dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Whether this process runs the compiled build (dist/…/*.js) rather than the source through tsx. */
export const COMPILED = path.extname(__filename) === '.js';

/** The folder the code's own folders (api/, worker/, …) are in: the project root, or dist/ when compiled. */
export const CODE_ROOT = path.resolve(__dirname, '..');

/** The project root: package.json, sql/, deploy/ and node_modules/. */
export const PROJECT_ROOT = COMPILED ? path.dirname(CODE_ROOT) : CODE_ROOT;

/** The workflow bundle `npm run build` writes beside the compiled code. */
export const BUILT_WORKFLOW_BUNDLE = path.join(
  COMPILED ? CODE_ROOT : path.join(PROJECT_ROOT, 'dist'),
  'workflow-bundle.js',
);

/** The web console `npm run build:web` writes (index.html and assets/), beside the compiled code. */
export const BUILT_CONSOLE_DIR = path.join(COMPILED ? CODE_ROOT : path.join(PROJECT_ROOT, 'dist'), 'web');

/** The version package.json gives (read, not imported, so the build does not copy package.json into dist/). */
export const KLAXON_VERSION: string = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

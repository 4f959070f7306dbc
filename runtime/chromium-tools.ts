/**
 * Finds Chromium for the web console's browser tests and screenshots (playwright-core drives it; its
 * own browser download is never used). Same order as the other tools: an explicit path (CHROMIUM_PATH),
 * then PATH (Debian's `chromium`), then Debian's package when we may install it.
 */
import path from 'node:path';
import { findOnPath, tryAptInstall } from './temporal-tools';

const onPath = () => findOnPath('chromium') ?? findOnPath('chromium-browser');

/** Returns the path of a Chromium executable, installing Debian's when needed; throws when no route works. */
export function resolveChromium({
  explicitPath,
  log,
}: {
  explicitPath?: string;
  log: (line: string) => void;
}): string {
  if (explicitPath) {
    log(`chromium: using CHROMIUM_PATH=${explicitPath}`);
    return path.resolve(explicitPath);
  }
  const found = onPath();
  if (found) return found;
  if (tryAptInstall('chromium', 'chromium', log)) {
    const installed = onPath();
    if (installed) return installed;
  }
  throw new Error(
    'chromium: not on PATH and apt-get unavailable (or not root); install chromium or set CHROMIUM_PATH',
  );
}

/** Flags for a headless Chromium in a container or CI: no sandbox (root), no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

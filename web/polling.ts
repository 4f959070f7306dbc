/** Polling while the tab is visible, for the pages that show what changes without a reload. */
import { useEffect } from 'preact/hooks';

/**
 * Runs `refresh` now and then every `everyMs` after the previous run finished, skipping runs while the
 * tab is hidden; a tab coming back refreshes at once. Pass a stable `refresh` (useCallback): a new one
 * restarts the loop.
 */
export function usePolling(refresh: () => Promise<void>, everyMs: number): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const loop = async () => {
      if (!document.hidden) await refresh();
      if (!stopped) timer = setTimeout(() => void loop(), everyMs);
    };
    void loop();
    const onVisible = () => {
      if (!document.hidden) void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh, everyMs]);
}

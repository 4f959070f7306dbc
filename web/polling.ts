/** Polling while the tab is visible: what keeps a page live without a push channel. */
import { useEffect } from 'preact/hooks';

/**
 * Calls `refresh` at once and then `everyMs` after each call settles, skipping while the tab is hidden;
 * a tab coming back refreshes at once. Pass a stable function: a new one restarts the loop.
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

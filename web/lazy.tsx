/**
 * A component loaded when first shown (esbuild splits each import() into its own chunk): pages and
 * editors few people open stay out of the script the first page waits for. Until the chunk arrives it
 * says so; if it cannot be fetched (a deploy replaced it, the network dropped) it says that instead of
 * staying blank.
 *
 *   const AdminPage = lazyComponent(() => import('./pages/admin.js').then((m) => m.AdminPage));
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      load().then(
        (c) => {
          loaded = c;
          setComponent(() => c);
        },
        () => setFailed(true),
      );
    }, [Component]);
    if (Component) return <Component {...props} />;
    return (
      <p role={failed ? 'alert' : undefined} aria-live="polite">
        {failed ? 'This part of the console could not be loaded: reload to try again.' : 'Loading…'}
      </p>
    );
  };
}

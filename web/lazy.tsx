/**
 * A page loaded when first opened (esbuild splits each import() into its own chunk). Until it arrives
 * the page says so; if the chunk cannot be fetched (a deploy replaced it, the network dropped) the
 * page says that instead of staying blank.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from './components.js';

export function lazyPage(load: () => Promise<ComponentType<PageProps>>): ComponentType<PageProps> {
  let loaded: ComponentType<PageProps> | undefined;
  return function LazyPage(props: PageProps) {
    const [Page, setPage] = useState<ComponentType<PageProps> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page) return;
      load().then(
        (p) => {
          loaded = p;
          setPage(() => p);
        },
        () => setFailed(true),
      );
    }, [Page]);
    if (Page) return <Page {...props} />;
    return (
      <p role={failed ? 'alert' : undefined} aria-live="polite">
        {failed ? 'This page could not be loaded: reload to try again.' : 'Loading…'}
      </p>
    );
  };
}

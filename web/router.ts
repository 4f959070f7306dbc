/**
 * Addresses inside the console: /console/<page>. The server answers index.html for all of them, so
 * links are real addresses (open in a new tab, reload, bookmark) and navigation is history.pushState.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

/** Returns the current page: the path after /console/ without slashes at either end ('' for the home page). */
export function currentPage(): string {
  const { pathname } = window.location;
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return rest.replace(/^\/+|\/+$/g, '');
}

/** Goes to a page of the console without reloading. */
export function navigate(page: string, { replace = false } = {}): void {
  const url = page ? `${BASE}/${page}` : BASE;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Returns the current page, re-rendering when it changes. */
export function usePage(): string {
  const [page, setPage] = useState(currentPage);
  useEffect(() => {
    const onChange = () => setPage(currentPage());
    window.addEventListener('popstate', onChange);
    return () => window.removeEventListener('popstate', onChange);
  }, []);
  return page;
}

/**
 * The console pages the first-load benchmark opens, and what "interactive" means on each: the page's
 * own data is on screen and, where the page has one, the first control a person would use is there and enabled. Readiness is
 * judged inside the page on every animation frame, so the time is the page's own clock from the start
 * of navigation to the first frame that shows it, not the driver's.
 */

export interface Ids {
  scheduleId: string;
  policyId: string;
}

export interface ConsolePage {
  name: string;
  path: (ids: Ids) => string;
  /** A CSS selector for the control that makes the page usable, and the text it must contain. */
  ready: { selector: string; text: string };
}

export const CONSOLE_PAGES: readonly ConsolePage[] = [
  {
    // The home page: what a responder opening /console at 3 a.m. waits for.
    name: 'Now (home)',
    path: () => '/console',
    ready: { selector: 'ul.now-schedules', text: 'bench-responder' },
  },
  {
    name: 'Alerts (50 open)',
    path: () => '/console/alerts',
    ready: { selector: 'ul.alerts button', text: 'Acknowledge' },
  },
  {
    name: 'Schedule (calendar, 14 days)',
    path: (ids) => `/console/schedules/${ids.scheduleId}`,
    // A responder sees no override controls (an admin's); the calendar with its shifts is the page.
    ready: { selector: 'ol.calendar', text: 'bench-responder' },
  },
  {
    name: 'Escalation policy',
    path: (ids) => `/console/policies/${ids.policyId}`,
    ready: { selector: 'main button', text: 'Run dry-run' },
  },
  {
    name: 'Profile',
    path: () => '/console/profile',
    ready: { selector: 'main button', text: 'Send test page' },
  },
];

/**
 * The in-page check (an arrow function: Playwright sends its source to the page, and the strict CSP
 * forbids evaluating strings there). It answers the time since navigation start once `selector` holds
 * an enabled element containing `text`, else false, so waitForFunction tries again the next frame.
 */
export const readyAt = ({ selector, text }: ConsolePage['ready']): number | false => {
  for (const el of Array.from(document.querySelectorAll(selector))) {
    if (el.textContent?.includes(text) && !(el as HTMLButtonElement).disabled) return performance.now();
  }
  return false;
};

/** Where a load's time went, by the page's own clock: when each stage's last response had arrived. */
export interface Waterfall {
  document: number;
  assets: number;
  session: number;
  data: number;
}

/**
 * Runs in the page after readiness: Navigation and Resource Timing, up to the ready time. No named
 * inner functions: the loader names them through a helper the page does not have.
 */
export const waterfall = (ready: number): Waterfall => {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  const stages = { document: nav.responseEnd, assets: 0, session: 0, data: 0 };
  for (const r of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    if (r.responseEnd > ready) continue;
    const stage = r.name.includes('/console/assets/')
      ? 'assets'
      : r.name.endsWith('/auth/session')
        ? 'session'
        : r.initiatorType === 'fetch'
          ? 'data'
          : undefined;
    if (stage) stages[stage] = Math.max(stages[stage], r.responseEnd);
  }
  return stages;
};

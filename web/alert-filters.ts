/**
 * The Alerts list's filters and their address: they live in the page's query string
 * (`/console/alerts?state=new&service=db`), so a filtered view can be bookmarked and shared.
 */
import { OPEN_ALERT_STATES } from '../domain/lifecycle.js';
import { SEVERITIES, type Severity } from '../domain/severity.js';

/** "open" is the three open states together, "all" any state. */
export const STATE_FILTERS = ['open', ...OPEN_ALERT_STATES, 'resolved', 'all'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];
export { SEVERITIES, type Severity };

export interface AlertFilters {
  state: StateFilter;
  severity: Severity | '';
  service: string;
  /** Instants as ISO strings, '' for no bound. */
  from: string;
  to: string;
}

export const DEFAULT_FILTERS: AlertFilters = { state: 'open', severity: '', service: '', from: '', to: '' };

const isOneOf = <T extends string>(list: readonly T[], value: string | null): value is T =>
  value !== null && (list as readonly string[]).includes(value);

/** Returns the instant's ISO text, or '' when `value` is no date. */
function instantText(value: string | null): string {
  if (!value) return '';
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** Returns the filters a query string names; a value that is not one leaves that filter at its default. */
export function filtersFromQuery(search: string): AlertFilters {
  const q = new URLSearchParams(search);
  const state = q.get('state');
  const severity = q.get('severity');
  return {
    state: isOneOf(STATE_FILTERS, state) ? state : DEFAULT_FILTERS.state,
    severity: isOneOf(SEVERITIES, severity) ? severity : '',
    service: (q.get('service') ?? '').trim(),
    from: instantText(q.get('from')),
    to: instantText(q.get('to')),
  };
}

/** Returns the query string ('?state=new&service=db', or '' for the defaults) naming the filters. */
export function filtersToQuery(f: AlertFilters): string {
  const q = new URLSearchParams();
  if (f.state !== DEFAULT_FILTERS.state) q.set('state', f.state);
  if (f.severity) q.set('severity', f.severity);
  if (f.service.trim()) q.set('service', f.service.trim());
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Returns the GET /alerts query for the filters (without limit and cursor). */
export function alertsQuery(f: AlertFilters): {
  open?: 'true';
  state?: Exclude<StateFilter, 'open' | 'all'>;
  severity?: Severity;
  service?: string;
  from?: string;
  to?: string;
} {
  return {
    ...(f.state === 'open' ? { open: 'true' as const } : f.state === 'all' ? {} : { state: f.state }),
    ...(f.severity ? { severity: f.severity } : {}),
    ...(f.service.trim() ? { service: f.service.trim() } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  };
}

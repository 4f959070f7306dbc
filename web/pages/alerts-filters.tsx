/** The Alerts list's filter form: state, severity and service apply at once, the time range as entered. */
import { useEffect, useState } from 'preact/hooks';
import {
  DEFAULT_FILTERS,
  SEVERITIES,
  STATE_FILTERS,
  type AlertFilters,
  type Severity,
  type StateFilter,
} from '../alert-filters.js';
import { localInputValue, parseLocalInput, viewerZone } from '../zoned-time.js';

const STATE_LABELS: Partial<Record<StateFilter, string>> = { open: 'open (not resolved)', all: 'any state' };

/** Returns the datetime-local value of an ISO instant in the viewer's zone ('' for none). */
const shownTime = (iso: string, zone: string) => (iso ? localInputValue(Date.parse(iso), zone) : '');
/** Returns the ISO instant a datetime-local value names in the viewer's zone ('' for none). */
function enteredTime(value: string, zone: string): string {
  const ms = parseLocalInput(value, zone);
  return ms === null ? '' : new Date(ms).toISOString();
}

export function FilterForm({
  filters,
  onChange,
}: {
  filters: AlertFilters;
  onChange: (next: AlertFilters) => void;
}) {
  const zone = viewerZone();
  // The text and time fields apply on change (leaving the field) or with Apply (Enter).
  const [service, setService] = useState(filters.service);
  const [from, setFrom] = useState(shownTime(filters.from, zone));
  const [to, setTo] = useState(shownTime(filters.to, zone));
  useEffect(() => {
    setService(filters.service);
    setFrom(shownTime(filters.from, zone));
    setTo(shownTime(filters.to, zone));
  }, [filters, zone]);

  const typed = (): AlertFilters => ({
    ...filters,
    service: service.trim(),
    from: enteredTime(from, zone),
    to: enteredTime(to, zone),
  });
  const commit = (next: AlertFilters) => {
    if (JSON.stringify(next) !== JSON.stringify(filters)) onChange(next);
  };
  const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        commit(typed());
      }}
    >
      <div>
        <label for="state-filter">State</label>
        <select
          id="state-filter"
          value={filters.state}
          onChange={(e) => commit({ ...typed(), state: value(e) as StateFilter })}
        >
          {STATE_FILTERS.map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s] ?? s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="severity-filter">Severity</label>
        <select
          id="severity-filter"
          value={filters.severity}
          onChange={(e) => commit({ ...typed(), severity: value(e) as Severity | '' })}
        >
          <option value="">any</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="service-filter">Service</label>
        <input
          id="service-filter"
          type="text"
          value={service}
          onInput={(e) => setService(value(e))}
          onChange={(e) => commit({ ...typed(), service: value(e).trim() })}
        />
      </div>
      <div>
        <label for="from-filter">Triggered from</label>
        <input
          id="from-filter"
          type="datetime-local"
          value={from}
          onInput={(e) => setFrom(value(e))}
          onChange={(e) => commit({ ...typed(), from: enteredTime(value(e), zone) })}
        />
      </div>
      <div>
        <label for="to-filter">Triggered before</label>
        <input
          id="to-filter"
          type="datetime-local"
          value={to}
          onInput={(e) => setTo(value(e))}
          onChange={(e) => commit({ ...typed(), to: enteredTime(value(e), zone) })}
        />
      </div>
      <p class="hint filters-zone">Times in {zone}.</p>
      <div class="filter-buttons">
        <button type="submit">Apply</button>
        <button type="button" class="secondary" onClick={() => commit(DEFAULT_FILTERS)}>
          Clear filters
        </button>
      </div>
    </form>
  );
}

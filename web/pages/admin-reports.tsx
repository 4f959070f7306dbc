/**
 * Admin → Reports: noise (GET /stats/noise: events in, pages out, per UTC day) and SLA compliance
 * (GET /sla/compliance: targets met per service and severity) over a chosen period. Each chart is a
 * table of the numbers with an SVG bar beside each (hidden from screen readers, which read the table):
 * no chart library, nothing inline for the CSP.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage } from '../components.js';
import {
  PERIODS,
  barLengths,
  durationText,
  metPercent,
  percentText,
  periodQuery,
  reductionText,
} from '../report-figures.js';

type Noise = components['schemas']['NoiseStats'];
type Compliance = components['schemas']['SlaCompliance'];

/** A bar `length` percent long, for the eye only (the number is in the cell's text). */
function Bar({ length, kind }: { length: number; kind: string }) {
  return (
    <svg
      class="chart-bar"
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
    >
      <rect class="bar-track" x="0" y="0" width="100" height="10" />
      <rect class={`bar-fill bar-${kind}`} x="0" y="0" width={length} height="10" />
    </svg>
  );
}

function Cell({ text, length, kind }: { text: string; length: number; kind: string }) {
  return (
    <td>
      <span class="bar-cell">
        <span class="bar-value">{text}</span>
        <Bar length={length} kind={kind} />
      </span>
    </td>
  );
}

const dayText = (iso: string) =>
  new Date(iso).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
  });

function NoiseReport({ noise }: { noise: Noise }) {
  const events = barLengths(noise.days.map((d) => d.raw_events));
  // Pages on the events' scale, so the gap between the bars is the noise taken away.
  const pages = noise.days.map((d, i) =>
    d.raw_events > 0 ? ((events[i] ?? 0) * d.pages) / d.raw_events : 0,
  );
  const t = noise.total;
  return (
    <section aria-labelledby="noise-heading" class="report">
      <h3 id="noise-heading">Noise</h3>
      <ul class="totals">
        <li>Events received: {t.raw_events}</li>
        <li>Alerts: {t.alerts}</li>
        <li>Groups: {t.groups}</li>
        <li>Pages sent: {t.pages}</li>
        <li>Noise reduction: {reductionText(t.noise_reduction)}</li>
        {t.pages_nobody > 0 ? <li>Alerts that paged nobody: {t.pages_nobody}</li> : null}
      </ul>
      <div class="table-wrap">
        <table class="chart">
          <caption>Events received and pages sent per UTC day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Events</th>
              <th scope="col">Pages</th>
            </tr>
          </thead>
          <tbody>
            {noise.days.map((d, i) => (
              <tr key={d.day}>
                <th scope="row">{dayText(d.day)}</th>
                <Cell text={String(d.raw_events)} length={events[i] ?? 0} kind="events" />
                <Cell text={String(d.pages)} length={pages[i] ?? 0} kind="pages" />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ComplianceReport({ compliance }: { compliance: Compliance }) {
  return (
    <section aria-labelledby="compliance-heading" class="report">
      <h3 id="compliance-heading">SLA compliance</h3>
      {compliance.totals.length === 0 ? (
        <p>No alerts in this period.</p>
      ) : (
        <div class="table-wrap">
          <table class="chart">
            <caption>Share of alerts acknowledged (TTA) and resolved (TTR) within target</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">TTA met</th>
                <th scope="col">TTR met</th>
              </tr>
            </thead>
            <tbody>
              {compliance.totals.map((r) => {
                const tta = metPercent(r.tta_met, r.tta_breached);
                const ttr = metPercent(r.ttr_met, r.ttr_breached);
                return (
                  <tr key={`${r.service}/${r.severity}`}>
                    <th scope="row">
                      {r.service} <span class={`badge severity-${r.severity}`}>{r.severity}</span>
                      <span class="hint-block">
                        {r.alerts} {r.alerts === 1 ? 'alert' : 'alerts'} · TTA p95{' '}
                        {durationText(r.tta_p95_ms)} · TTR p95 {durationText(r.ttr_p95_ms)}
                      </span>
                    </th>
                    <Cell
                      text={`${percentText(tta)} (${r.tta_met} of ${r.tta_met + r.tta_breached})`}
                      length={tta ?? 0}
                      kind="met"
                    />
                    <Cell
                      text={`${percentText(ttr)} (${r.ttr_met} of ${r.ttr_met + r.ttr_breached})`}
                      length={ttr ?? 0}
                      kind="met"
                    />
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ReportsSection({ onFailure }: { onFailure: (err: unknown) => void }) {
  const [days, setDays] = useState<number>(7);
  const [noise, setNoise] = useState<Noise | null>(null);
  const [compliance, setCompliance] = useState<Compliance | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const q = periodQuery(days, Date.now());
    setNoise(null);
    setCompliance(null);
    Promise.all([
      call(api.GET('/stats/noise', { params: { query: q.noise } })),
      call(api.GET('/sla/compliance', { params: { query: q.compliance } })),
    ]).then(
      ([n, c]) => {
        if (!current) return;
        setNoise(n);
        setCompliance(c);
        setFailure(null);
      },
      (err: unknown) => {
        if (!current) return;
        setFailure(errorText(err));
        onFailure(err);
      },
    );
    return () => {
      current = false;
    };
  }, [days, onFailure]);

  return (
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports</h2>
      <label for="report-period">Period</label>
      <select
        id="report-period"
        value={String(days)}
        onChange={(e) => setDays(Number(e.currentTarget.value))}
      >
        {PERIODS.map((p) => (
          <option key={p} value={String(p)}>
            Last {p} days
          </option>
        ))}
      </select>
      <ErrorMessage text={failure} />
      {noise && compliance ? (
        <>
          <NoiseReport noise={noise} />
          <ComplianceReport compliance={compliance} />
        </>
      ) : failure ? null : (
        <p aria-live="polite">Loading reports…</p>
      )}
    </section>
  );
}

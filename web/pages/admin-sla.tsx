/**
 * Admin → SLA targets: the defaults per severity, each service's overrides, a form to set one
 * (PUT /sla/targets/{service}/{severity}; it applies to alerts triggered from then on) and Remove.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, useReloadable } from '../components.js';

type Target = components['schemas']['SlaTarget'];
type Severity = Target['severity'];
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

const loadTargets = () => call(api.GET('/sla/targets'));

export function SlaSection({ onFailure }: { onFailure: (err: unknown) => void }) {
  const [formFailure, setFormFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  // Held here: a re-render (busy, a refusal) must not put the select back to its first option.
  const [severity, setSeverity] = useState<Severity>('critical');

  const { data: targets, failure, setFailure, reload } = useReloadable(loadTargets, onFailure);

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const service = String(form.get('service')).trim();
    setBusy(true);
    setFormFailure(null);
    try {
      const saved = await call(
        api.PUT('/sla/targets/{service}/{severity}', {
          params: { path: { service, severity } },
          body: { tta_minutes: Number(form.get('tta')), ttr_minutes: Number(form.get('ttr')) },
        }),
      );
      setNotice(
        `Set ${saved.service} ${saved.severity}: acknowledge within ${saved.tta_minutes} min, resolve within ${saved.ttr_minutes} min.`,
      );
      await reload();
    } catch (err) {
      setFormFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (t: Target) => {
    if (!window.confirm(`Remove the ${t.severity} target of ${t.service}? The default applies again.`))
      return;
    try {
      await call(
        api.DELETE('/sla/targets/{service}/{severity}', {
          params: { path: { service: t.service, severity: t.severity } },
        }),
      );
      setNotice(`Removed the ${t.severity} target of ${t.service}.`);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  return (
    <section aria-labelledby="sla-heading">
      <h2 id="sla-heading">SLA targets</h2>
      <p class="hint">
        Minutes to acknowledge (TTA) and to resolve (TTR). A change applies to alerts triggered after it.
      </p>
      <ErrorMessage text={failure} />
      <p class="status" role="status">
        {notice}
      </p>
      {targets === null ? (
        <p>Loading targets…</p>
      ) : (
        <>
          <h3>Defaults</h3>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Default targets per severity</caption>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">TTA (min)</th>
                  <th scope="col">TTR (min)</th>
                </tr>
              </thead>
              <tbody>
                {SEVERITIES.filter((s) => targets.defaults[s]).map((s) => (
                  <tr key={s}>
                    <th scope="row">{s}</th>
                    <td>{targets.defaults[s]?.tta_minutes}</td>
                    <td>{targets.defaults[s]?.ttr_minutes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Per service</h3>
          {targets.overrides.length === 0 ? (
            <p>No service has its own targets.</p>
          ) : (
            <ul class="plain-list keys">
              {targets.overrides.map((t) => (
                <li key={`${t.service}/${t.severity}`}>
                  <span id={`sla-${t.service}-${t.severity}`}>
                    <strong>{t.service}</strong>{' '}
                    <span class={`badge severity-${t.severity}`}>{t.severity}</span> TTA {t.tta_minutes} min ·
                    TTR {t.ttr_minutes} min
                  </span>
                  <button
                    type="button"
                    class="secondary"
                    aria-describedby={`sla-${t.service}-${t.severity}`}
                    onClick={() => void remove(t)}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <form class="stack panel" aria-labelledby="sla-form-heading" onSubmit={(e) => void save(e)}>
        <h3 id="sla-form-heading">Set a target</h3>
        <label for="sla-service">Service</label>
        <input id="sla-service" name="service" type="text" required maxLength={200} />
        <label for="sla-severity">Severity</label>
        <select
          id="sla-severity"
          name="severity"
          value={severity}
          onChange={(e) => setSeverity(e.currentTarget.value as Severity)}
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label for="sla-tta">Acknowledge within (minutes)</label>
        <input id="sla-tta" name="tta" type="number" inputMode="decimal" required min="0.02" step="any" />
        <label for="sla-ttr">Resolve within (minutes)</label>
        <input id="sla-ttr" name="ttr" type="number" inputMode="decimal" required min="0.02" step="any" />
        <ErrorMessage text={formFailure} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set target'}
        </button>
      </form>
    </section>
  );
}

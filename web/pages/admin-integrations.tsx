/**
 * Admin → Integrations: the monitoring systems that send alerts in. Create one (its routing key is in
 * the answer once: shown with a copy button and set-up snippets built from it), list them by key
 * prefix, delete after a confirm.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, useReloadable } from '../components.js';
import { integrationSnippets, type IntegrationType } from '../ingest-snippets.js';
import { CopyButton, SnippetBlock } from './copy-text.js';

type Integration = components['schemas']['Integration'];
type CreatedIntegration = components['schemas']['CreatedIntegration'];

const TYPES: { type: IntegrationType; label: string }[] = [
  { type: 'alertmanager', label: 'Prometheus Alertmanager' },
  { type: 'pagerduty', label: 'PagerDuty Events API v2 client' },
  { type: 'generic', label: 'Generic JSON webhook' },
  { type: 'anomaly', label: 'Anomaly detector' },
];
const typeLabel = (t: string) => TYPES.find((x) => x.type === t)?.label ?? t;

function NewIntegration({
  created,
  summaryPath,
  onDone,
}: {
  created: CreatedIntegration;
  summaryPath: string | undefined;
  onDone: () => void;
}) {
  const snippets = integrationSnippets(window.location.origin, created.type, created.routing_key, {
    summaryPath,
  });
  return (
    <div class="new-key" role="group" aria-labelledby="routing-key-label">
      <label id="routing-key-label" for="routing-key">
        Routing key for “{created.name}” ({typeLabel(created.type)})
      </label>
      <input
        id="routing-key"
        type="text"
        readOnly
        value={created.routing_key}
        aria-describedby="routing-key-warning"
      />
      <p id="routing-key-warning" class="warning">
        Copy it now: you will not see it again. Klaxon keeps only its digest.
      </p>
      <CopyButton targetId="routing-key" label="Copy routing key" />
      <h3>Set it up</h3>
      {snippets.map((s, i) => (
        <SnippetBlock key={s.title} snippet={s} index={i} />
      ))}
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

const loadIntegrations = async () => (await call(api.GET('/integrations'))).integrations;

export function IntegrationsSection({ onFailure }: { onFailure: (err: unknown) => void }) {
  const [created, setCreated] = useState<{ integration: CreatedIntegration; summaryPath?: string } | null>(
    null,
  );
  // Held here: a re-render (busy, a refusal) must not put the fields back to their first values.
  const [type, setType] = useState<IntegrationType>('alertmanager');
  const [summaryPath, setSummaryPath] = useState('$.title');
  const [formFailure, setFormFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const { data: integrations, failure, setFailure, reload } = useReloadable(loadIntegrations, onFailure);

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const name = String(form.get('name'));
    const service = String(form.get('service'));
    // The API's defaults, spelled out: the generated request type lists them as required.
    const common = { name, service, group_by: [], group_window_minutes: 5 };
    const body =
      type === 'generic' ? { type, ...common, mapping: { summary: summaryPath } } : { type, ...common };
    setBusy(true);
    setFormFailure(null);
    try {
      const integration = await call(api.POST('/integrations', { body }));
      formElement.reset();
      setCreated({ integration, ...(type === 'generic' ? { summaryPath } : {}) });
      setNotice('');
      await reload();
    } catch (err) {
      setFormFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (i: Integration) => {
    if (!window.confirm(`Delete the integration “${i.name}”? Its routing key stops working at once.`)) return;
    try {
      await call(api.DELETE('/integrations/{id}', { params: { path: { id: i.id } } }));
      setNotice(`Deleted ${i.name}.`);
      await reload();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  return (
    <section aria-labelledby="integrations-heading">
      <h2 id="integrations-heading">Integrations</h2>
      <ErrorMessage text={failure} />
      <p class="status" role="status">
        {notice}
      </p>
      {created ? (
        <NewIntegration
          created={created.integration}
          summaryPath={created.summaryPath}
          onDone={() => setCreated(null)}
        />
      ) : null}
      {integrations === null ? (
        <p>Loading integrations…</p>
      ) : integrations.length === 0 ? (
        <p>No integrations yet.</p>
      ) : (
        <ul class="plain-list keys">
          {integrations.map((i) => (
            <li key={i.id}>
              <span id={`integration-${i.id}`}>
                <strong>{i.name}</strong> <span class="badge">{typeLabel(i.type)}</span>{' '}
                <span class="hint-inline">
                  service {i.service} · key <code>{i.key_prefix}…</code>
                </span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-describedby={`integration-${i.id}`}
                onClick={() => void remove(i)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack panel" aria-labelledby="new-integration-heading" onSubmit={(e) => void create(e)}>
        <h3 id="new-integration-heading">Add an integration</h3>
        <label for="integration-type">Type</label>
        <select
          id="integration-type"
          name="type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as IntegrationType)}
        >
          {TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
        <label for="integration-name">Integration name</label>
        <input id="integration-name" name="name" type="text" required maxLength={200} />
        <label for="integration-service">Service</label>
        <input
          id="integration-service"
          name="service"
          type="text"
          required
          maxLength={200}
          aria-describedby="integration-service-hint"
        />
        <p id="integration-service-hint" class="hint">
          Alerts from it belong to this service: policies, SLA targets and groups go by it.
        </p>
        {type === 'generic' ? (
          <>
            <label for="integration-summary">Summary field (JSONPath)</label>
            <input
              id="integration-summary"
              name="summary_path"
              type="text"
              required
              value={summaryPath}
              onInput={(e) => setSummaryPath(e.currentTarget.value)}
              maxLength={200}
              aria-describedby="integration-summary-hint"
            />
            <p id="integration-summary-hint" class="hint">
              Where the alert's title is in the events, e.g. $.alert.title.
            </p>
          </>
        ) : null}
        <ErrorMessage text={formFailure} />
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add integration'}
        </button>
      </form>
    </section>
  );
}

/**
 * My contact methods: add (email, SMS, voice call, webhook with an optional signing secret), remove,
 * and send a test page to each. A press of "Send test page" carries its own Idempotency-Key, and a
 * second press while the first is under way is ignored, so a double click sends one page.
 */
import { useRef, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage } from '../components.js';
import { idempotencyKey } from '../idempotency.js';

type ContactMethod = components['schemas']['ContactMethod'];
type MethodType = ContactMethod['type'];

const TYPES: readonly { type: MethodType; label: string; address: string; hint: string }[] = [
  { type: 'email', label: 'Email', address: 'Email address', hint: 'e.g. ada@example.com' },
  { type: 'sms', label: 'SMS', address: 'Phone number', hint: 'E.164, e.g. +14155550100' },
  { type: 'voice', label: 'Voice call', address: 'Phone number', hint: 'E.164, e.g. +14155550100' },
  { type: 'webhook', label: 'Webhook', address: 'URL', hint: 'http(s) URL that receives a JSON POST' },
];

function AddForm({
  onAdded,
  onFailure,
}: {
  onAdded: () => Promise<void>;
  onFailure: (err: unknown) => void;
}) {
  const [type, setType] = useState<MethodType>('email');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const kind = TYPES.find((t) => t.type === type) ?? TYPES[0]!;

  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    const formElement = e.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const address = String(form.get('address')).trim();
    const secret = String(form.get('secret') ?? '');
    const body = type === 'webhook' ? { type, address, ...(secret ? { secret } : {}) } : { type, address };
    setBusy(true);
    setFailure(null);
    try {
      await call(api.POST('/me/contact-methods', { body }));
      formElement.reset();
      await onAdded();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack" aria-labelledby="add-method-heading" onSubmit={(e) => void add(e)}>
      <h3 id="add-method-heading">Add a contact method</h3>
      <label for="method-type">Type</label>
      <select
        id="method-type"
        name="type"
        value={type}
        onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value as MethodType)}
      >
        {TYPES.map((t) => (
          <option key={t.type} value={t.type}>
            {t.label}
          </option>
        ))}
      </select>
      <label for="method-address">{kind.address}</label>
      <input
        id="method-address"
        name="address"
        type="text"
        inputMode={type === 'email' ? 'email' : type === 'sms' || type === 'voice' ? 'tel' : 'url'}
        autocomplete="off"
        required
        aria-describedby="method-address-hint"
      />
      <p class="hint" id="method-address-hint">
        {kind.hint}
      </p>
      {type === 'webhook' ? (
        <>
          <label for="method-secret">Signing secret (optional)</label>
          <input
            id="method-secret"
            name="secret"
            type="password"
            autocomplete="off"
            minLength={16}
            aria-describedby="method-secret-hint"
          />
          <p class="hint" id="method-secret-hint">
            At least 16 characters; pages are signed with it. It cannot be read back.
          </p>
        </>
      ) : null}
      <ErrorMessage text={failure} />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add'}
      </button>
    </form>
  );
}

export function ContactMethodsSection({
  methods,
  onChanged,
  onFailure,
}: {
  methods: ContactMethod[];
  onChanged: () => Promise<void>;
  onFailure: (err: unknown) => void;
}) {
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [testing, setTesting] = useState<ReadonlySet<string>>(new Set());
  // Set synchronously on a press: a second click lands before the disabled button re-renders.
  const inFlight = useRef(new Set<string>());

  const test = async (method: ContactMethod) => {
    if (inFlight.current.has(method.id)) return;
    inFlight.current.add(method.id);
    setTesting(new Set(inFlight.current));
    setOutcome((o) => ({ ...o, [method.id]: 'sending…' }));
    try {
      const answer = await call(
        api.POST('/me/contact-methods/{methodId}/test', {
          params: { path: { methodId: method.id } },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      const text =
        'queued' in answer
          ? 'queued: it goes out when a worker runs it'
          : answer.status === 'sent'
            ? 'sent'
            : `failed: ${answer.error ?? 'no reason given'}`;
      setOutcome((o) => ({ ...o, [method.id]: text }));
    } catch (err) {
      setOutcome((o) => ({ ...o, [method.id]: `failed: ${errorText(err)}` }));
      onFailure(err);
    } finally {
      inFlight.current.delete(method.id);
      setTesting(new Set(inFlight.current));
    }
  };

  const remove = async (method: ContactMethod) => {
    if (!window.confirm(`Remove ${method.type} ${method.address}? Pages stop going there.`)) return;
    setFailure(null);
    try {
      await call(api.DELETE('/me/contact-methods/{methodId}', { params: { path: { methodId: method.id } } }));
      await onChanged();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  };

  return (
    <section aria-labelledby="methods-heading" class="panel">
      <h2 id="methods-heading">Contact methods</h2>
      <ErrorMessage text={failure} />
      {methods.length === 0 ? (
        <p>You have no contact methods: pages cannot reach you yet.</p>
      ) : (
        <ul class="methods">
          {methods.map((m) => (
            <li key={m.id}>
              <span class="method-what" id={`method-${m.id}`}>
                <span class="badge">{m.type}</span> {m.address}
                {m.has_secret ? <span class="hint"> (signed)</span> : null}
              </span>
              <span class="actions">
                <button
                  type="button"
                  aria-describedby={`method-${m.id}`}
                  disabled={testing.has(m.id)}
                  onClick={() => void test(m)}
                >
                  Send test page
                </button>
                <button
                  type="button"
                  class="secondary"
                  aria-describedby={`method-${m.id}`}
                  onClick={() => void remove(m)}
                >
                  Remove
                </button>
              </span>
              <span class="status" role="status" data-method={m.id}>
                {outcome[m.id] ? `Test page: ${outcome[m.id]}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      <AddForm onAdded={onChanged} onFailure={onFailure} />
    </section>
  );
}

/**
 * What a responder or admin can do on the alert page: the actions its state allows (from the
 * lifecycle's rule, web/alert-actions.ts), with an optional reason for the timeline, and adding a note.
 */
import { useState } from 'preact/hooks';
import { api, call, errorText, type Session } from '../api/client.js';
import type { components } from '../api/schema.js';
import { DEFAULT_SNOOZE_MINUTES } from '../../domain/snooze.js';
import { ACTION_TEXT, availableActions, mayAddNote, type AlertAction } from '../alert-actions.js';
import { durationText } from '../relative-time.js';
import { ErrorMessage } from '../components.js';

type AlertDetail = components['schemas']['AlertDetail'];

/** The snooze lengths offered, in minutes. */
const SNOOZE_MINUTES = [15, DEFAULT_SNOOZE_MINUTES, 60, 120, 240] as const;

interface Props {
  alert: AlertDetail;
  session: Session;
  /** Called after an action or note went through, to load the alert again. */
  onChanged: () => Promise<void>;
  onFailure: (err: unknown) => void;
}

export function AlertActions({ alert, session, onChanged, onFailure }: Props) {
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number>(DEFAULT_SNOOZE_MINUTES);
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const live = alert.live;
  const actions = availableActions(session.role, {
    state: alert.state,
    running: live !== null,
    nextTier: live?.escalation.next != null,
    groupMember: live?.group?.role === 'member',
  });
  if (actions.length === 0) return null;

  const act = async (action: AlertAction) => {
    setBusy(true);
    setNotice('');
    try {
      const body = reason.trim() ? { reason: reason.trim() } : {};
      const path = { path: { id: alert.id } };
      const answer =
        action === 'snooze'
          ? await call(api.POST('/alerts/{id}/snooze', { params: path, body: { ...body, minutes } }))
          : await call(api.POST(`/alerts/{id}/${action}`, { params: path, body }));
      const { done } = ACTION_TEXT[action];
      setNotice(
        'queued' in answer ? `${done}: queued, it applies when a worker runs the alert.` : `${done}.`,
      );
      setReason('');
      setFailure(null);
      await onChanged();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="actions-heading" class="panel">
      <h2 id="actions-heading">Actions</h2>
      <form class="stack alert-action-form" onSubmit={(e) => e.preventDefault()}>
        <label for="action-reason">Reason (optional, goes on the timeline)</label>
        <input
          id="action-reason"
          value={reason}
          maxLength={2000}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        {actions.includes('snooze') ? (
          <>
            <label for="snooze-minutes">Snooze for</label>
            <select
              id="snooze-minutes"
              value={String(minutes)}
              onChange={(e) => setMinutes(Number(e.currentTarget.value))}
            >
              {SNOOZE_MINUTES.map((m) => (
                <option key={m} value={String(m)}>
                  {durationText(m * 60_000)}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <div class="actions">
          {actions.map((a) => (
            <button key={a} type="button" disabled={busy} onClick={() => void act(a)}>
              {ACTION_TEXT[a].label}
            </button>
          ))}
        </div>
      </form>
      <p class="status" role="status">
        {notice}
      </p>
      <ErrorMessage text={failure} />
    </section>
  );
}

export function AddNote({ alert, session, onChanged, onFailure }: Props) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  if (!mayAddNote(session.role, alert.live !== null)) return null;

  const submit = async () => {
    if (!text.trim()) {
      setFailure('Write the note first.');
      return;
    }
    setBusy(true);
    setNotice('');
    try {
      await call(
        api.POST('/alerts/{id}/notes', { params: { path: { id: alert.id } }, body: { text: text.trim() } }),
      );
      setText('');
      setNotice('Note added.');
      setFailure(null);
      await onChanged();
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="stack note-form"
      aria-label="Add note"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label for="note-text">Note</label>
      <textarea
        id="note-text"
        rows={3}
        maxLength={10_000}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" disabled={busy}>
        Add note
      </button>
      <p class="status" role="status">
        {notice}
      </p>
      <ErrorMessage text={failure} />
    </form>
  );
}

/**
 * One layer in the schedule editor: its name, rotation (type and shift length), first shift's start (the
 * handoff time), participants in rotation order (add, move up and down, remove) and the weekly time
 * windows it is limited to. Every control's id is the request field's (controlIdFor), so an API error
 * naming a field marks the control it came from.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/schema.js';
import {
  ROTATION_TYPES,
  controlIdFor,
  focusAfterMove,
  moveItem,
  removeItem,
  type LayerDraft,
  type RotationType,
} from '../schedule-draft.js';

type User = components['schemas']['User'];

const LENGTH_UNIT: Record<RotationType, string> = {
  hourly: 'hours',
  daily: 'days',
  weekly: 'weeks',
  custom: 'hours of elapsed time',
};
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface LayerEditorProps {
  layer: LayerDraft;
  index: number;
  users: User[];
  zone: string;
  /** The id of the control the API's error names, if any. */
  invalid: string | null;
  errorId: string;
  onChange: (change: (l: LayerDraft) => LayerDraft) => void;
  onRemove: () => void;
}

export function LayerEditor({
  layer,
  index,
  users,
  zone,
  invalid,
  errorId,
  onChange,
  onRemove,
}: LayerEditorProps) {
  const id = (field: string) => controlIdFor(`body.layers.${index}.${field}`);
  const marks = (field: string) =>
    invalid === id(field) ? { 'aria-invalid': true, 'aria-errormessage': errorId } : {};
  const title = `Layer ${index + 1}`;
  const nameOf = (userId: string) => users.find((u) => u.id === userId)?.name ?? 'a removed user';
  const candidates = users.filter((u) => !layer.participants.includes(u.id));
  const [adding, setAdding] = useState('');
  // A button pressed to move or remove something re-renders away (moved, disabled or gone): the focus
  // goes on to the control that continues the task, not to the page's start.
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });
  const buttonId = (i: number, button: string) => id(`participants-${i}-${button}`);
  const move = (i: number, by: number) => {
    const next = focusAfterMove(i, by, layer.participants.length);
    onChange((l) => ({ ...l, participants: moveItem(l.participants, i, by) }));
    focusNext.current = buttonId(next.index, next.button);
  };
  const toAdd = candidates.some((u) => u.id === adding) ? adding : (candidates[0]?.id ?? '');
  const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

  return (
    <fieldset class="layer-editor">
      <legend>
        {title}
        {layer.name ? `: ${layer.name}` : ''}
      </legend>
      <div class="fields">
        <div class="stack">
          <label for={id('name')}>Layer name</label>
          <input
            id={id('name')}
            value={layer.name}
            {...marks('name')}
            onInput={(e) => onChange((l) => ({ ...l, name: value(e) }))}
          />
        </div>
        <div class="stack">
          <label for={id('rotation-type')}>Rotation</label>
          <select
            id={id('rotation-type')}
            value={layer.type}
            {...marks('rotation-type')}
            onChange={(e) => onChange((l) => ({ ...l, type: value(e) as RotationType }))}
          >
            {ROTATION_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div class="stack">
          <label for={id('rotation-length')}>Shift length ({LENGTH_UNIT[layer.type]})</label>
          <input
            id={id('rotation-length')}
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            class="short"
            value={layer.length}
            {...marks('rotation-length')}
            onInput={(e) => onChange((l) => ({ ...l, length: value(e) }))}
          />
        </div>
        <div class="stack">
          <label for={id('start')}>First shift starts</label>
          <input
            id={id('start')}
            type="datetime-local"
            value={layer.start}
            aria-describedby={`${id('start')}-hint`}
            {...marks('start')}
            onInput={(e) => onChange((l) => ({ ...l, start: value(e) }))}
          />
          <p class="hint" id={`${id('start')}-hint`}>
            In {zone}; its time of day is the handoff time.
          </p>
        </div>
      </div>

      <h3 id={`${id('participants')}-heading`}>Participants, in rotation order</h3>
      {layer.participants.length === 0 ? (
        <p class="hint">Nobody yet.</p>
      ) : (
        <ol class="participants" aria-labelledby={`${id('participants')}-heading`}>
          {layer.participants.map((p, i) => (
            <li key={`${i}-${p}`}>
              <div class="participant">
                <span class="participant-name">{nameOf(p)}</span>
                <span class="actions">
                  <button
                    type="button"
                    class="secondary"
                    id={buttonId(i, 'up')}
                    aria-label={`Move ${nameOf(p)} up`}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    Up
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    id={buttonId(i, 'down')}
                    aria-label={`Move ${nameOf(p)} down`}
                    disabled={i === layer.participants.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    Down
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Remove ${nameOf(p)} from ${title}`}
                    onClick={() => {
                      onChange((l) => ({ ...l, participants: removeItem(l.participants, i) }));
                      focusNext.current = id('participants');
                    }}
                  >
                    Remove
                  </button>
                </span>
              </div>
            </li>
          ))}
        </ol>
      )}
      <div class="add-row">
        <div class="stack">
          <label for={id('participants')}>Add participant</label>
          <select
            id={id('participants')}
            value={toAdd}
            disabled={candidates.length === 0}
            {...marks('participants')}
            onChange={(e) => setAdding(value(e))}
          >
            {candidates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          class="secondary"
          aria-label={`Add the chosen participant to ${title}`}
          disabled={!toAdd}
          onClick={() => onChange((l) => ({ ...l, participants: [...l.participants, toAdd] }))}
        >
          Add
        </button>
      </div>

      <h3>Time windows</h3>
      <p class="hint">
        None: the layer covers all hours. With some, it covers only those (in {zone}); an end at or before the
        start runs past midnight.
      </p>
      {layer.restrictions.map((r, i) => {
        const rid = (f: string) => id(`restrictions-${i}-${f}`);
        const set = (patch: Partial<typeof r>) =>
          onChange((l) => ({
            ...l,
            restrictions: l.restrictions.map((x, j) => (j === i ? { ...x, ...patch } : x)),
          }));
        return (
          <div class="fields restriction" key={i}>
            <div class="stack">
              <label for={rid('weekday')}>Day</label>
              <select
                id={rid('weekday')}
                value={String(r.weekday)}
                {...marks(`restrictions-${i}-weekday`)}
                onChange={(e) => set({ weekday: Number(value(e)) })}
              >
                {WEEKDAYS.map((d, w) => (
                  <option key={d} value={String(w + 1)}>
                    {d}
                  </option>
                ))}
              </select>
            </div>
            <div class="stack">
              <label for={rid('start')}>From</label>
              <input
                id={rid('start')}
                type="time"
                value={r.start}
                {...marks(`restrictions-${i}-start`)}
                onInput={(e) => set({ start: value(e) })}
              />
            </div>
            <div class="stack">
              <label for={rid('end')}>To</label>
              <input
                id={rid('end')}
                type="time"
                value={r.end}
                {...marks(`restrictions-${i}-end`)}
                onInput={(e) => set({ end: value(e) })}
              />
            </div>
            <button
              type="button"
              class="secondary"
              aria-label={`Remove time window ${i + 1} from ${title}`}
              onClick={() => {
                onChange((l) => ({ ...l, restrictions: removeItem(l.restrictions, i) }));
                focusNext.current = id('add-restriction');
              }}
            >
              Remove
            </button>
          </div>
        );
      })}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          id={id('add-restriction')}
          onClick={() =>
            onChange((l) => ({
              ...l,
              restrictions: [...l.restrictions, { weekday: 1, start: '09:00', end: '17:00' }],
            }))
          }
        >
          Add time window
        </button>
        <button type="button" class="secondary" onClick={onRemove}>
          Remove {title.toLowerCase()}
        </button>
      </div>
    </fieldset>
  );
}

/** The alert's history: the timeline (who did what when, and why), the pages sent, and the notes. */
import type { components } from '../api/schema.js';
import { pageOutcome, pageSource, timelineHeadline } from '../alert-text.js';
import { When } from './alert-when.js';

type AlertDetail = components['schemas']['AlertDetail'];

export function AlertTimeline({ alert, now }: { alert: AlertDetail; now: number }) {
  const entries = alert.timeline.filter((e) => e.action !== 'note');
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {entries.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ol class="timeline alert-timeline" aria-label="Timeline">
          {entries.map((e, i) => (
            <li key={`${e.at}-${e.action}-${i}`} class={`timeline-${e.action}`}>
              <span class="timeline-at">
                <When at={e.at} now={now} />
              </span>
              <span>{timelineHeadline(e)}</span>
              {e.reason ? <span class="reason">{e.reason}</span> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function PagesSent({ alert, now }: { alert: AlertDetail; now: number }) {
  const pages = alert.notifications;
  return (
    <section aria-labelledby="pages-heading">
      <h2 id="pages-heading">Pages sent</h2>
      {pages.length === 0 ? (
        <p>No pages sent.</p>
      ) : (
        <ul class="plain-list pages-sent" aria-label="Pages sent">
          {pages.map((p, i) => (
            <li key={`${p.at}-${p.address}-${i}`}>
              <span>
                <strong class={`outcome outcome-${p.status}`}>{pageOutcome(p.status)}</strong> · {p.channel}{' '}
                to <span class="address">{p.address}</span> · {pageSource(p)}
                {p.attempts > 1 ? ` · ${p.attempts} attempts` : ''}
              </span>
              <When at={p.at} now={now} />
              {p.error ? <span class="reason">Why: {p.error}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function NotesList({ alert, now }: { alert: AlertDetail; now: number }) {
  const notes = alert.timeline.filter((e) => e.action === 'note');
  if (notes.length === 0) return <p>No notes yet.</p>;
  return (
    <ul class="plain-list notes" aria-label="Notes">
      {notes.map((n, i) => (
        <li key={`${n.at}-${i}`}>
          <span class="note-by">
            {n.actor} · <When at={n.at} now={now} />
          </span>
          <span class="note-text">{n.reason}</span>
        </li>
      ))}
    </ul>
  );
}

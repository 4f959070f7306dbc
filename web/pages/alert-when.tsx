/** An instant on the alert page: the date and time in the viewer's zone, and how far from now. */
import { relativeTime } from '../relative-time.js';
import { dateTimeLabel, viewerZone } from '../zoned-time.js';

export function When({ at, now }: { at: string; now: number }) {
  const ms = Date.parse(at);
  return (
    <span class="when">
      <time dateTime={at}>{dateTimeLabel(ms, viewerZone())}</time>{' '}
      <span class="relative">({relativeTime(ms, now)})</span>
    </span>
  );
}

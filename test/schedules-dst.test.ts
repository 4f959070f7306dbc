// The one DST rule for local wall-clock times, through the real API: a restriction window's start and
// end are read as handoffs are (a time inside a spring-forward gap moves forward by the gap, a time
// that occurs twice is its first occurrence), in New York (1 h changes at 02:00 and 01:00–02:00),
// London (1 h at 01:00 and 01:00–02:00) and Lord Howe (30 min at 02:00 and 01:30–02:00), for windows
// whose start, end or both fall in the gap or the repeated time; /shifts and /on-call agree.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
let base: string;
let edge: string;
before(async () => {
  h = await startHarness({ inProcessWorker: false });
  base = (await h.request('POST', '/users', { name: 'base' })).body.id;
  edge = (await h.request('POST', '/users', { name: 'edge' })).body.id;
});
after(async () => {
  await h?.close();
});

interface Case {
  zone: string;
  /** The Sunday of the change. */
  day: string;
  window: [string, string];
  /** The instants the window covers that day (UTC). */
  open: [string, string];
  what: string;
}

const CASES: Case[] = [
  // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT.
  { zone: 'America/New_York', day: '2026-03-08', window: ['02:30', '04:00'], open: ['07:30', '08:00'], what: 'start in the gap: 03:30 EDT' },
  { zone: 'America/New_York', day: '2026-03-08', window: ['01:00', '02:30'], open: ['06:00', '07:30'], what: 'end in the gap: to 03:30 EDT' },
  { zone: 'America/New_York', day: '2026-03-08', window: ['02:10', '02:50'], open: ['07:10', '07:50'], what: 'both in the gap: an hour late' },
  // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:00–02:00 happens twice.
  { zone: 'America/New_York', day: '2026-11-01', window: ['01:30', '03:00'], open: ['05:30', '08:00'], what: 'start in the repeat: its first pass' },
  { zone: 'America/New_York', day: '2026-11-01', window: ['00:00', '01:30'], open: ['04:00', '05:30'], what: 'end in the repeat: its first pass' },
  { zone: 'America/New_York', day: '2026-11-01', window: ['01:15', '01:45'], open: ['05:15', '05:45'], what: 'both in the repeat: open once' },
  // London, 2026-03-29: 01:00 GMT jumps to 02:00 BST.
  { zone: 'Europe/London', day: '2026-03-29', window: ['01:30', '03:00'], open: ['01:30', '02:00'], what: 'start in the gap: 02:30 BST' },
  { zone: 'Europe/London', day: '2026-03-29', window: ['00:00', '01:30'], open: ['00:00', '01:30'], what: 'end in the gap: to 02:30 BST' },
  { zone: 'Europe/London', day: '2026-03-29', window: ['01:10', '01:50'], open: ['01:10', '01:50'], what: 'both in the gap: an hour late' },
  // London, 2026-10-25: 02:00 BST falls back to 01:00 GMT.
  { zone: 'Europe/London', day: '2026-10-25', window: ['01:30', '03:00'], open: ['00:30', '03:00'], what: 'start in the repeat: its first pass' },
  { zone: 'Europe/London', day: '2026-10-25', window: ['00:00', '01:30'], open: ['-23:00', '00:30'], what: 'end in the repeat: its first pass' },
  { zone: 'Europe/London', day: '2026-10-25', window: ['01:15', '01:45'], open: ['00:15', '00:45'], what: 'both in the repeat: open once' },
  // Lord Howe, 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11): a 30-minute gap.
  { zone: 'Australia/Lord_Howe', day: '2026-10-04', window: ['02:15', '04:00'], open: ['-15:45', '-17:00'], what: 'start in the gap: 02:45' },
  { zone: 'Australia/Lord_Howe', day: '2026-10-04', window: ['01:00', '02:15'], open: ['-14:30', '-15:45'], what: 'end in the gap: to 02:45' },
  { zone: 'Australia/Lord_Howe', day: '2026-10-04', window: ['02:05', '02:25'], open: ['-15:35', '-15:55'], what: 'both in the gap: 30 min late' },
  // Lord Howe, 2026-04-05: 02:00 (+11) falls back to 01:30 (+10:30); 01:30–02:00 happens twice.
  { zone: 'Australia/Lord_Howe', day: '2026-04-05', window: ['01:45', '03:00'], open: ['-14:45', '-16:30'], what: 'start in the repeat: its first pass' },
  { zone: 'Australia/Lord_Howe', day: '2026-04-05', window: ['01:00', '01:45'], open: ['-14:00', '-14:45'], what: 'end in the repeat: its first pass' },
  { zone: 'Australia/Lord_Howe', day: '2026-04-05', window: ['01:35', '01:55'], open: ['-14:35', '-14:55'], what: 'both in the repeat: open once' },
];

/** An instant on the change's UTC date, or ("-HH:mm") on the UTC day before it. */
function utc(day: string, hhmm: string): number {
  const before = hhmm.startsWith('-');
  const t = Date.parse(`${day}T${hhmm.replace('-', '')}:00Z`);
  return before ? t - 86_400_000 : t;
}

let seq = 0;
describe('restriction windows at DST changes', () => {
  for (const c of CASES) {
    it(`${c.zone} ${c.day} ${c.window.join('–')}: ${c.what}`, async () => {
      const schedule = await h.request('POST', '/schedules', {
        name: `dst ${++seq}`,
        time_zone: c.zone,
        layers: [
          { name: 'base', rotation: { type: 'weekly', length: 1 }, start: '2026-01-05T00:00', participants: [base] },
          {
            name: 'window',
            rotation: { type: 'weekly', length: 1 },
            start: '2026-01-05T00:00',
            participants: [edge],
            restrictions: [{ weekday: 7, start: c.window[0], end: c.window[1] }],
          },
        ],
      });
      assert.equal(schedule.status, 201, JSON.stringify(schedule.body));
      const id = schedule.body.id;
      const [open, close] = [utc(c.day, c.open[0]), utc(c.day, c.open[1])];
      const from = new Date(open - 6 * 3_600_000).toISOString();
      const to = new Date(close + 6 * 3_600_000).toISOString();
      const res = await h.request('GET', `/schedules/${id}/shifts?from=${from}&to=${to}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const windows = res.body.shifts
        .filter((s: { user_id: string }) => s.user_id === edge)
        .map((s: { start: string; end: string }) => [s.start, s.end]);
      assert.deepEqual(windows, [[new Date(open).toISOString(), new Date(close).toISOString()]]);
      const who = async (t: number) => (await h.request('GET', `/schedules/${id}/on-call?at=${new Date(t).toISOString()}`)).body.on_call[0].user_id;
      assert.equal(await who(open - 60_000), base, 'a minute before it opens');
      assert.equal(await who(open), edge, 'as it opens');
      assert.equal(await who(close - 60_000), edge, 'its last minute');
      assert.equal(await who(close), base, 'as it closes');
    });
  }
});

/**
 * One line of text: no line break and no other control character. Names (of people, schedules, policies,
 * integrations, keys) and every untrusted field a page or calendar feed interpolates into a line-based
 * format (iCalendar content lines, the text of an email) must be one line, or a value could end its
 * line and write the next one itself: a fake "Acknowledge:" link, a whole foreign calendar event.
 */

// C0 and C1 controls (\p{Cc}: CR, LF, tab, NUL, ESC…), and the Unicode line and paragraph separators.
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]/u;
const LINE_BREAKING_RUNS = /[\p{Cc}\u2028\u2029]+/gu;

/** Returns whether `text` is one line: no line break and no other control character. */
export function isSingleLine(text: string): boolean {
  return !LINE_BREAKING.test(text);
}

/** Returns `text` on one line: each run of line breaks and control characters becomes one space. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKING_RUNS, ' ');
}

/** What a name with a line break is told. */
export const SINGLE_LINE_MESSAGE = 'must be a single line: no line breaks, tabs or other control characters';

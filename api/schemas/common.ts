/** Schemas and response helpers shared by the per-resource route definitions. */
import { ErrorBody } from '../errors';
import type { ResponseSpec } from '../route';
import { z } from '../zod';
import { isHttpUrl } from '../../domain/ingest/fields';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../../domain/single-line';

export { ErrorBody };

/** An instant as JSON carries it: ISO 8601 in UTC, e.g. 2026-03-02T09:00:00.000Z. */
export const instant = z.iso.datetime({ offset: true });

// A wall-clock time with no offset: which instant it means depends on a zone the request does not name.
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * An instant a caller sends (query or body): ISO 8601 with its offset. The error says what is missing:
 * `2026-03-08T02:30` is refused for want of an offset, not as "invalid", with an example of each form.
 */
export const instantInput = () =>
  z.iso.datetime({
    offset: true,
    error: (issue) =>
      typeof issue.input === 'string' && LOCAL_DATETIME.test(issue.input)
        ? `needs a UTC offset, Z or ±hh:mm: ${issue.input} is a wall-clock time whose instant depends on a zone (e.g. ${issue.input}Z or ${issue.input}-05:00)`
        : 'must be an ISO 8601 instant with its offset, e.g. 2026-03-08T02:30:00Z or 2026-03-08T02:30:00-05:00',
  });

export const idParams = z.object({ id: z.uuid() });

/** A documented error response with the shared error body. */
export const errorResponse = (description: string): ResponseSpec => ({ description, body: ErrorBody });

export const locationHeader = { Location: 'The path of the resource' } as const;

/** A name people read in lists, pages and calendar feeds: trimmed, 1–200 characters, one line. */
export const nameField = () => z.string().trim().min(1).max(200).refine(isSingleLine, SINGLE_LINE_MESSAGE);

/** A link people click (in pages, the API's answers, a console): http(s) only, never `javascript:` or `data:`. */
export const webLink = () => z.url().refine(isHttpUrl, 'must be an http(s) URL');
/** What a webhook URL must be; the API checks it when saved (api/policies.ts, api/users.ts), answering 400. */
export const OUTBOUND_URL_DESCRIPTION =
  'http or https, without user:password@. An IP-literal host must be a public address, or permitted by OUTBOUND_ALLOWLIST; a host name is checked against the same rule for every address it resolves to when a page is sent';

/** Schemas and response helpers shared by the per-resource route definitions. */
import { ErrorBody } from '../errors';
import type { ResponseSpec } from '../route';
import { z } from '../zod';
import { isHttpUrl } from '../../domain/ingest/fields';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../../domain/single-line';

export { ErrorBody };

/** An instant as JSON carries it: ISO 8601 in UTC, e.g. 2026-03-02T09:00:00.000Z. */
export const instant = z.iso.datetime({ offset: true });

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

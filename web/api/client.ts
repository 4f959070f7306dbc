/**
 * The console's only way to the server: the documented API (types generated from the OpenAPI document
 * into schema.d.ts), same-origin with the session cookie. State-changing requests carry the session's
 * CSRF token; error bodies (`{"error": {code, message, …}}`) become an ApiError the pages show.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type Session = components['schemas']['Session'];
export type Alert = components['schemas']['Alert'];

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from Retry-After (429, 503), when the server sent it. */
    readonly retryAfterSeconds: number | null = null,
    /** A 400's offending fields (`body.tiers.1.delay_minutes`) with what is wrong with each. */
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

/** Remembers the CSRF token of the session the console now runs as (null when signed out). */
export function setSessionToken(session: Session | null): void {
  csrfToken = session?.csrf_token ?? null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; errors?: unknown };
}

/** Returns the ApiError an answer stands for. */
function errorOf(response: Response, body: unknown): ApiError {
  const retry = Number(response.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  const error = (body as ErrorBody | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
  const message =
    typeof error?.message === 'string' ? error.message : `the server answered ${response.status}`;
  const fields = Array.isArray(error?.errors)
    ? (error.errors as unknown[]).flatMap((e) => {
        const { field, message } = (e ?? {}) as { field?: unknown; message?: unknown };
        return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
      })
    : [];
  return new ApiError(response.status, code, message, retryAfter, fields);
}

/** Awaits an openapi-fetch call: its data on 2xx, else throws an ApiError (status 0 when unreachable). */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, 'unreachable', 'Klaxon cannot be reached; check the connection');
  }
  if (!answer.response.ok) throw errorOf(answer.response, answer.error);
  return answer.data as T;
}

/** The text a page shows for a failed call. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'auth_throttled' || err.status === 429)
      return `Too many attempts. Try again in ${err.retryAfterSeconds ?? 60} seconds.`;
    return err.message.charAt(0).toUpperCase() + err.message.slice(1) + '.';
  }
  return 'Something went wrong; see the browser console.';
}

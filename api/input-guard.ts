/**
 * The edge's one guard for text Postgres cannot hold (domain/storable-text.ts): it walks what a request
 * carries once it is parsed — path parameters, query string, body (JSON or form) at any depth, object
 * keys included — and refuses NUL and lone surrogates with a 400 naming each field. `mount` (route.ts)
 * puts it in front of every route's handler, after the route's own body parser.
 *
 * One walker over parsed input rather than a refinement on each zod string: free-form JSON (`details`,
 * ingest payloads read by the domain parsers, generic webhook bodies) and form bodies have no zod string
 * to refine, and a route added later is guarded without anyone remembering to.
 */
import type { Request, RequestHandler } from 'express';
import { TEXT_PROBLEM_MESSAGE, findUnstorable, type UnstorableField } from '../domain/storable-text';
import { HttpError } from './errors';

/** A request carrying text the store cannot hold; `fields` names each offending field. */
export class UnstorableInputError extends HttpError {
  constructor(readonly fields: UnstorableField[]) {
    const errors = fields.map((f) => ({ field: f.path, message: TEXT_PROBLEM_MESSAGE[f.problem] }));
    const first = errors[0]!;
    super(400, 'invalid_request', `${first.field}: ${first.message}`, { errors });
    this.name = 'UnstorableInputError';
  }
}

/** Returns every unstorable field of the parsed request: path parameters, then query, then body. */
export function unstorableFieldsOf(req: Request): UnstorableField[] {
  return [
    ...findUnstorable(req.params, 'params'),
    ...findUnstorable(req.query, 'query'),
    ...findUnstorable(req.body, 'body'),
  ].slice(0, 20);
}

/** Refuses (400) a request that carries text the store cannot hold, before its handler sees it. */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  const fields = unstorableFieldsOf(req);
  if (fields.length > 0) throw new UnstorableInputError(fields);
  next();
};

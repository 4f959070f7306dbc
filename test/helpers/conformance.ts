/**
 * Checks HTTP responses against the OpenAPI document: the request's method and path pick the documented
 * operation (by its path template), the status must be one it documents, and a JSON body must validate
 * against that status's schema (Ajv, JSON Schema 2020-12, with formats). Other media types are checked
 * by content type only. Paths or methods the document does not have answer with the shared error body,
 * so their responses are checked against it.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument, type OpenApiDocument } from '../../api/openapi';

export interface Exchange {
  method: string;
  /** The request path, query string allowed. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as received. */
  text: string;
}

export interface CheckResult {
  /** The operation the request matched, e.g. 'GET /alerts/{id}', or null when undocumented. */
  operation: string | null;
  problems: string[];
}

interface MediaType {
  schema?: unknown;
}
interface Response {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, Response>;
}

interface Template {
  template: string;
  regex: RegExp;
  /** Characters that are not parameters: the more, the more specific (/schedules/{id}.ics beats /schedules/{id}). */
  literal: number;
  operations: Record<string, Operation>;
}

const BASE = 'https://klaxon.invalid/openapi.json';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pointer = (...parts: string[]) =>
  '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const mediaOf = (contentType: string | null) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** Returns a checker for the document (the app's own by default). */
export function createResponseChecker(doc: OpenApiDocument = openApiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The whole document under one id, so `#/components/schemas/...` references resolve from any schema in it.
  ajv.addSchema({ ...doc, $id: BASE }, undefined, undefined, false);

  const templates: Template[] = Object.entries(doc.paths ?? {}).map(([template, item]) => ({
    template,
    regex: new RegExp(
      `^${template
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{.+\}$/.test(part) ? '([^/]+)' : escape(part)))
        .join('')}/?$`,
      'i',
    ),
    literal: template.replace(/\{[^}]+\}/g, '').length,
    operations: item as Record<string, Operation>,
  }));
  const compiled = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = compiled.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: `${BASE}${ref}` });
      compiled.set(ref, v);
    }
    return v;
  };
  const errorRef = pointer('components', 'schemas', 'Error');

  const validateJson = (ref: string, x: Exchange, problems: string[]) => {
    let body: unknown;
    try {
      body = JSON.parse(x.text);
    } catch {
      problems.push(`the body is not JSON: ${x.text.slice(0, 200)}`);
      return;
    }
    const validate = validator(ref);
    if (!validate(body)) {
      for (const e of validate.errors ?? [])
        problems.push(
          `body${e.instancePath} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
        );
    }
  };

  return {
    /** Returns the operation matched and what about the response does not conform (empty: it conforms). */
    check(x: Exchange): CheckResult {
      // HEAD answers as GET does, without the body.
      const method = x.method.toLowerCase() === 'head' ? 'get' : x.method.toLowerCase();
      if (method !== x.method.toLowerCase()) x = { ...x, text: '' };
      const path = x.path.split('?')[0]!;
      const problems: string[] = [];
      const match = templates
        .filter((t) => t.regex.test(path) && t.operations[method])
        .sort((a, b) => b.literal - a.literal)[0];
      const media = mediaOf(x.contentType);

      if (!match) {
        // Not a documented operation: the app answers with its error body (404, or 401 before routing).
        if (x.status < 400)
          problems.push(`${x.method} ${path} is not in the document but answered ${x.status}`);
        else if (media !== 'application/json')
          problems.push(`expected an application/json error body, got ${x.contentType ?? 'no content type'}`);
        else validateJson(errorRef, x, problems);
        return { operation: null, problems };
      }

      const operation = `${x.method.toUpperCase()} ${match.template}`;
      const response = match.operations[method]!.responses?.[String(x.status)];
      if (!response) {
        const documented = Object.keys(match.operations[method]!.responses ?? {}).join(', ');
        return {
          operation,
          problems: [`status ${x.status} is not documented for ${operation} (documented: ${documented})`],
        };
      }
      const content = response.content ?? {};
      const types = Object.keys(content);
      if (types.length === 0) {
        if (x.text !== '')
          problems.push(`status ${x.status} is documented without a body, got ${x.text.slice(0, 200)}`);
        return { operation, problems };
      }
      if (!types.includes(media)) {
        problems.push(
          `content type ${x.contentType ?? '(none)'} is not documented for ${x.status} (documented: ${types.join(', ')})`,
        );
        return { operation, problems };
      }
      if (media === 'application/json' && content[media]!.schema && x.method.toLowerCase() !== 'head') {
        validateJson(
          pointer('paths', match.template, method, 'responses', String(x.status), 'content', media, 'schema'),
          x,
          problems,
        );
      }
      return { operation, problems };
    },
  };
}

export type ResponseChecker = ReturnType<typeof createResponseChecker>;

let shared: ResponseChecker | undefined;

/** Returns a checker for the app's document, built once per process. */
export function responseChecker(): ResponseChecker {
  shared ??= createResponseChecker();
  return shared;
}

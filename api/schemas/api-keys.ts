/** /api-keys: create, list and revoke API keys (admin). Request and response schemas, route definitions. */
import { API_KEY_ROLES } from '../../store/api-keys';
import { defineRoute } from '../route';
import { z } from '../zod';
import { errorResponse, idParams, instant, locationHeader, nameField } from './common';

export const createApiKeyBody = z
  .strictObject({ name: nameField(), role: z.enum(API_KEY_ROLES) })
  .openapi('CreateApiKey', { example: { name: 'grafana dashboard', role: 'viewer' } });

/** What identifies a key, never the key or its digest. */
export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(API_KEY_ROLES),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart' }),
    created_at: instant,
    last_used_at: instant.nullable(),
    revoked_at: instant.nullable(),
  })
  .openapi('ApiKey');

export const apiKeyRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key; the key is in this answer only',
    tags: ['api-keys'],
    request: { body: createApiKeyBody },
    responses: {
      201: {
        description: 'Created; `key` is shown this once (only its SHA-256 digest is stored)',
        body: ApiKey.extend({ key: z.string().openapi({ example: 'kx_…' }) }).openapi('NewApiKey'),
        headers: locationHeader,
      },
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api-keys',
    operationId: 'listApiKeys',
    summary: 'List API keys (never the keys themselves)',
    tags: ['api-keys'],
    responses: { 200: { description: 'Every key, revoked ones included', body: z.object({ api_keys: z.array(ApiKey) }) } },
  }),
  revoke: defineRoute({
    method: 'delete',
    path: '/api-keys/:id',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (repeating it is harmless)',
    tags: ['api-keys'],
    request: { params: idParams },
    responses: {
      200: { description: 'The revoked key', body: ApiKey },
      404: errorResponse('No such key (`not_found`)'),
      409: errorResponse('It is the last active admin key (`last_admin_key`)'),
    },
  }),
};

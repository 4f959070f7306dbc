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
    user_id: z
      .uuid()
      .nullable()
      .openapi({ description: "The user whose personal key this is (never above that user's role); null: the install's" }),
  })
  .openapi('ApiKey');

const NOT_A_PERSON = errorResponse('The request carries an API key, not a console session (`not_a_session`)');
const newKey = {
  description: 'Created; `key` is shown this once (only its SHA-256 digest is stored)',
  body: ApiKey.extend({ key: z.string().openapi({ example: 'kx_…' }) }).openapi('NewApiKey'),
  headers: locationHeader,
};

export const apiKeyRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key; the key is in this answer only',
    tags: ['api-keys'],
    request: { body: createApiKeyBody },
    responses: {
      201: newKey,
    },
  }),
  createMine: defineRoute({
    method: 'post',
    path: '/me/api-keys',
    operationId: 'createMyApiKey',
    summary: 'Create a personal API key, at most my own role; the key is in this answer only',
    tags: ['api-keys'],
    request: { body: createApiKeyBody },
    responses: {
      201: newKey,
      400: NOT_A_PERSON,
      403: errorResponse('The role asked for is above mine (`role_above_yours`)'),
    },
  }),
  listMine: defineRoute({
    method: 'get',
    path: '/me/api-keys',
    operationId: 'listMyApiKeys',
    summary: 'List my personal API keys',
    tags: ['api-keys'],
    responses: {
      200: { description: 'My keys, revoked ones included', body: z.object({ api_keys: z.array(ApiKey) }) },
      400: NOT_A_PERSON,
    },
  }),
  revokeMine: defineRoute({
    method: 'delete',
    path: '/me/api-keys/:id',
    operationId: 'revokeMyApiKey',
    summary: 'Revoke one of my personal API keys (repeating it is harmless)',
    tags: ['api-keys'],
    request: { params: idParams },
    responses: {
      200: { description: 'The revoked key', body: ApiKey },
      400: NOT_A_PERSON,
      404: errorResponse('No such key of mine (`not_found`)'),
      409: errorResponse('It is the last active admin key (`last_admin_key`)'),
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

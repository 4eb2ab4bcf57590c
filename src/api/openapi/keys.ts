// /api/v1/keys — the caller's own API keys
import { z } from 'zod';
import { createKeyBody, keyListQuery, keyParams, rotateKeyBody } from '../routes/keys';
import { ApiKeySchema } from './models';
import { created, ok, pageOf, type ApiOperation } from './spec';

const secret = z.string().describe('The key itself: shown once, never again.');

export const keyOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/keys',
    summary: 'Create an API key for yourself (the secret is returned once)',
    tag: 'keys',
    access: { kind: 'user' },
    body: createKeyBody,
    responses: { 201: created(z.object({ key: ApiKeySchema, secret })) },
  },
  {
    method: 'get',
    path: '/api/v1/keys',
    summary: 'Your API keys (never their secrets)',
    tag: 'keys',
    access: { kind: 'user' },
    query: keyListQuery,
    responses: { 200: ok(pageOf(ApiKeySchema)) },
  },
  {
    method: 'get',
    path: '/api/v1/keys/{keyId}',
    summary: 'One of your API keys',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    responses: { 200: ok(z.object({ key: ApiKeySchema })) },
  },
  {
    method: 'post',
    path: '/api/v1/keys/{keyId}/revoke',
    summary: 'Revoke a key at once (platform admins: any key)',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    responses: { 200: ok(z.object({ key: ApiKeySchema })) },
  },
  {
    method: 'post',
    path: '/api/v1/keys/{keyId}/rotate',
    summary: 'Replace a key; the old one keeps working for graceHours (default 24, at most 168)',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    body: rotateKeyBody,
    responses: { 201: created(z.object({ key: ApiKeySchema, secret, previous: ApiKeySchema })) },
  },
];

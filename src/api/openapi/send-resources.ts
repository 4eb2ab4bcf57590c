// /api/v1/clients/{clientId}/resources (sending domains, numbers, seats)
import { z } from 'zod';
import { createBody, listQuery } from '../routes/send-resources';
import { uuid } from '../validate';
import { SendResourceSchema } from './models';
import { created, noContent, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/resources';

export const sendResourceOperations: ApiOperation[] = [
  {
    method: 'get',
    path: base,
    summary: "The client's sending resources and their daily caps",
    tag: 'resources',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(SendResourceSchema)) },
  },
  {
    method: 'post',
    path: base,
    summary: 'Add a sending resource',
    tag: 'resources',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    body: createBody,
    responses: { 201: created(z.object({ resource: SendResourceSchema })) },
  },
  {
    method: 'delete',
    path: `${base}/{resourceId}`,
    summary: 'Remove a sending resource (soft delete)',
    tag: 'resources',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid, resourceId: uuid }),
    responses: { 204: noContent },
  },
];

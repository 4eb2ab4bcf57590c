// /api/v1/clients/{clientId}/outbox (what the sandbox drivers sent)
import { z } from 'zod';
import { listQuery } from '../routes/outbox';
import { uuid } from '../validate';
import { SandboxMessageSchema } from './models';
import { ok, pageOf, type ApiOperation } from './spec';

export const outboxOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/outbox',
    summary: 'Messages the offline (sandbox) drivers recorded',
    tag: 'outbox',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(SandboxMessageSchema)) },
  },
];

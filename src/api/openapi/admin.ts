// Platform-admin operations on the system itself: /api/v1/admin/self-test, /api/v1/admin/replies/recover
import { z } from 'zod';
import { recoverBody, selfTestBody } from '../routes/admin';
import { anyJson, ok, type ApiOperation } from './spec';

const run = { workflowId: z.string(), runId: z.string(), result: anyJson, durationMs: z.number() };

export const adminOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/admin/self-test',
    summary: 'Run a workflow whose activity writes and reads a row',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    body: selfTestBody,
    responses: { 200: ok(z.object({ ok: z.boolean(), ...run })) },
  },
  {
    method: 'post',
    path: '/api/v1/admin/replies/recover',
    summary: 'Run reply recovery now (replays unprocessed webhook inbox rows)',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    body: recoverBody,
    responses: { 200: ok(z.object(run)) },
  },
];

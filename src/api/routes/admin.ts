// Platform-admin operations on the system itself. The self-test runs a real workflow whose activity
// writes and reads a row; reply recovery runs the six-hourly sweep now. Both may take minutes, so
// each start answers 202 with a status URL (`Location`) that reports running, completed (with the
// workflow's result) or failed: no request waits for a workflow.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { replyRecoveryRunWorkflowId, selfTestWorkflowId, startReplyRecovery, startSelfTest } from '../../lifecycle/admin-runs';
import { actorOf } from '../actor';
import { anyJson } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import type { ApiDeps } from '../deps';
import { accepted, answerOutcome, answerStarted, outcome } from '../started-runs';
import { uuid } from '../validate';

export const selfTestBody = z.object({ note: z.string().min(1).max(200).optional() }).strict();
export const recoverBody = z
  .object({
    minAgeSeconds: z.number().int().min(0).max(86_400).optional(),
    maxEvents: z.number().int().min(1).max(10_000).optional(),
    pullProviders: z.boolean().optional(),
  })
  .strict();
const selfTestParams = z.object({ testId: uuid });
const recoveryParams = z.object({ recoveryId: uuid });

const SELF_TEST = '/api/v1/admin/self-test';
const RECOVER = '/api/v1/admin/replies/recover';

export const adminRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: SELF_TEST,
    summary: 'Start a workflow whose activity writes and reads a row',
    description: 'Answers 202 at once; `GET /api/v1/admin/self-test/{testId}` reports the outcome (`result.ok` once completed).',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    body: selfTestBody,
    responses: { 202: accepted('testId') },
    handler: async ({ body, req, res, deps }) => {
      const b = body();
      const note = b.note ?? `self-test ${new Date().toISOString()}`;
      await answerStarted(
        req,
        res,
        'testId',
        SELF_TEST,
        () => startSelfTest(deps.temporal, deps.taskQueue, note),
        'self-test',
        (run) => recordAudit(deps.db, { ...actorOf(req), action: 'admin.self_test', entityType: 'workflow', entityId: run.workflowId, after: { note } }),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: `${SELF_TEST}/{testId}`,
    summary: 'A self-test’s outcome',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    params: selfTestParams,
    responses: {
      200: outcome('testId', z.object({ ok: z.boolean(), probeId: z.string(), wrote: z.string(), readBack: z.string().nullable() }).loose()),
    },
    handler: ({ params: { testId }, res, deps }) => answerOutcome(deps, res, 'testId', testId, selfTestWorkflowId(testId), 'self-test'),
  }),
  defineRoute({
    method: 'post',
    path: RECOVER,
    summary: 'Start reply recovery now (replays unprocessed webhook inbox rows)',
    description: 'The same workflow the six-hourly schedule runs. Answers 202 at once; `GET /api/v1/admin/replies/recover/{recoveryId}` reports the outcome.',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    body: recoverBody,
    responses: { 202: accepted('recoveryId') },
    handler: async ({ body, req, res, deps }) => {
      const options = body();
      await answerStarted(
        req,
        res,
        'recoveryId',
        RECOVER,
        () => startReplyRecovery(deps.temporal, deps.taskQueue, options),
        'reply-recovery',
        (run) =>
          recordAudit(deps.db, { ...actorOf(req), action: 'admin.replies_recover', entityType: 'workflow', entityId: run.workflowId, after: { options } }),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: `${RECOVER}/{recoveryId}`,
    summary: 'A reply-recovery run’s outcome',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    params: recoveryParams,
    responses: { 200: outcome('recoveryId', anyJson) },
    handler: ({ params: { recoveryId }, res, deps }) =>
      answerOutcome(deps, res, 'recoveryId', recoveryId, replyRecoveryRunWorkflowId(recoveryId), 'reply-recovery run'),
  }),
];

export const adminRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin', adminRoutes);

// Platform-admin operations. The self-test runs a real workflow whose activity writes and reads a row.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { TypedSearchAttributes } from '@temporalio/common';
import { workflowIds } from '../../../workflows/ids';
import { ClientIdKey, PLATFORM_CLIENT_ID } from '../../../workflows/search-attributes';
import type { selfTestWorkflow } from '../../../workflows/self-test';
import { replyRecoveryWorkflowId } from '../../../workflows/definitions/replies';
import type { replyRecoveryWorkflow } from '../../../workflows/reply-recovery';
import { HttpError } from '../errors';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import type { ApiDeps } from '../deps';

export const selfTestBody = z.object({ note: z.string().min(1).max(200).optional() }).strict();
export const recoverBody = z
  .object({
    minAgeSeconds: z.number().int().min(0).max(86_400).optional(),
    maxEvents: z.number().int().min(1).max(10_000).optional(),
    pullProviders: z.boolean().optional(),
  })
  .strict();

export function adminRouter(deps: ApiDeps): Router {
  const r = Router();
  r.post('/self-test', async (req, res) => {
    const body = selfTestBody.parse(req.body ?? {});
    const probeId = randomUUID();
    const note = body.note ?? `self-test ${new Date().toISOString()}`;
    const started = performance.now();
    let handle;
    try {
      handle = await deps.temporal.workflow.start<typeof selfTestWorkflow>('selfTestWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: workflowIds.selfTest(probeId),
        args: [{ version: 1, probeId, note }],
        workflowExecutionTimeout: '1 minute',
        typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]),
      });
    } catch (err) {
      req.log.warn({ err }, 'self-test could not start');
      throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'could not start the self-test workflow');
    }
    let result;
    try {
      result = await handle.result();
    } catch (err) {
      req.log.warn({ err }, 'self-test workflow failed');
      throw new HttpError(503, 'SELF_TEST_FAILED', 'self-test workflow failed', { workflowId: handle.workflowId });
    }
    await recordAudit(deps.db, { ...actorOf(req), action: 'admin.self_test', entityType: 'workflow', entityId: handle.workflowId, after: { ok: result.ok } });
    res.json({
      ok: result.ok,
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      result,
      durationMs: Math.round(performance.now() - started),
    });
  });

  // Reply recovery on demand: the same workflow the six-hourly schedule runs; answers with its result.
  r.post('/replies/recover', async (req, res) => {
    const body = recoverBody.parse(req.body ?? {});
    const started = performance.now();
    let handle;
    try {
      handle = await deps.temporal.workflow.start<typeof replyRecoveryWorkflow>('replyRecoveryWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: replyRecoveryWorkflowId(`manual-${randomUUID()}`),
        args: [{ version: 1, ...body }],
        workflowExecutionTimeout: '30 minutes',
        typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]),
      });
    } catch (err) {
      req.log.warn({ err }, 'reply recovery could not start');
      throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'could not start the reply-recovery workflow');
    }
    try {
      const result = await handle.result();
      await recordAudit(deps.db, { ...actorOf(req), action: 'admin.replies_recover', entityType: 'workflow', entityId: handle.workflowId, after: { options: body } });
      res.json({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, result, durationMs: Math.round(performance.now() - started) });
    } catch (err) {
      req.log.warn({ err }, 'reply recovery workflow failed');
      throw new HttpError(503, 'REPLY_RECOVERY_FAILED', 'reply-recovery workflow failed', { workflowId: handle.workflowId });
    }
  });
  return r;
}

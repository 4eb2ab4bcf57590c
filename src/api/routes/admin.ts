// Platform-admin operations. The self-test runs a real workflow whose activity writes and reads a row.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { TypedSearchAttributes } from '@temporalio/common';
import { workflowIds } from '../../../workflows/ids';
import { ClientIdKey, PLATFORM_CLIENT_ID } from '../../../workflows/search-attributes';
import type { selfTestWorkflow } from '../../../workflows/self-test';
import { HttpError } from '../errors';
import type { ApiDeps } from '../deps';

const selfTestBody = z.object({ note: z.string().min(1).max(200).optional() }).strict();

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
    res.json({
      ok: result.ok,
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      result,
      durationMs: Math.round(performance.now() - started),
    });
  });
  return r;
}

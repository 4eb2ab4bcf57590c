// Long platform-admin operations (self-test, reply recovery, the skill digest) answer 202 with a
// status URL instead of holding an HTTP request open while a workflow runs; these build both answers.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { RunOutcome, StartedRun } from '../lifecycle/admin-runs';
import { runOutcome } from '../lifecycle/admin-runs';
import type { ApiDeps } from './deps';
import { HttpError, notFound } from './errors';
import { ok, type ResponseSpec } from './openapi/spec';

export const accepted = (idName: string): ResponseSpec => ({
  description: 'Started; poll `statusUrl` (also in `Location`) for the outcome.',
  schema: z.object({ [idName]: z.string(), workflowId: z.string(), runId: z.string(), status: z.literal('running'), statusUrl: z.string() }),
});

export const outcome = (idName: string, result: z.ZodType) =>
  ok(
    z.object({
      [idName]: z.string(),
      workflowId: z.string(),
      status: z.enum(['running', 'completed', 'failed']),
      result: result.optional().describe('completed only: what the workflow returned'),
      reason: z.string().optional().describe('failed only: failed, timed_out, terminated or cancelled'),
      durationMs: z.number().optional(),
    }),
    'Where the run is: running, completed (with its result) or failed',
  );

/** Starts a run (Temporal unreachable: 503, nothing started), audits it, answers 202 with where to look. */
export async function answerStarted(
  req: Request,
  res: Response,
  idName: string,
  base: string,
  start: () => Promise<StartedRun>,
  what: string,
  audit: (run: StartedRun) => Promise<unknown>,
): Promise<void> {
  let run: StartedRun;
  try {
    run = await start();
  } catch (err) {
    req.log.warn({ err }, `${what} could not start`);
    throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', `could not start the ${what} workflow`);
  }
  await audit(run);
  const statusUrl = `${base}/${run.id}`;
  res
    .status(202)
    .location(statusUrl)
    .json({ [idName]: run.id, workflowId: run.workflowId, runId: run.runId, status: 'running', statusUrl });
}

/**
 * Answers where a started run is (404 when there is no such workflow). `present` turns a completed
 * run's return value into what the caller reads (e.g. an id into the stored record).
 */
export async function answerOutcome(
  deps: ApiDeps,
  res: Response,
  idName: string,
  id: string,
  workflowId: string,
  what: string,
  present?: (result: unknown) => Promise<unknown>,
): Promise<void> {
  const out: RunOutcome | null = await runOutcome(deps.temporal, workflowId);
  if (!out) throw notFound(what);
  if (out.status === 'completed' && present) out.result = await present(out.result);
  res.json({ [idName]: id, workflowId, ...out });
}

// Shared by the AI-using activities: Claude and the spend limiter built once from the config
// (null without ANTHROPIC_API_KEY: skills then run offline), and the mapping of engine errors to
// Temporal failures (permanent problems become non-retryable ApplicationFailures).
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../src/config';
import type { Db } from '../src/db/client';
import { aiDepsFromConfig } from '../src/engines/ai/setup';
import { ApifyError } from '../src/integrations/apify';
import type { AiDeps } from '../src/engines/ai/structured';
import { StartPageError } from '../src/engines/icp-scraper';
import { MissingStepError } from '../src/engines/skills/icp/pipeline';
import { FailureType } from '../workflows/definitions/retry';

export function aiDepsFrom(deps: { db: Db; config: Config }): AiDeps | null {
  return aiDepsFromConfig(deps.db, deps.config);
}

/** The running activity's workflow id (recorded on ai_usage rows), or undefined outside one. */
export function currentWorkflowId(): string | undefined {
  try {
    return activityInfo().workflowExecution?.workflowId;
  } catch {
    // activityInfo() throws outside an activity (a direct call in a unit test): no workflow id.
    return undefined;
  }
}

export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof StartPageError) {
    return err.permanent ? ApplicationFailure.create({ type: FailureType.IcpScrapeFailed, nonRetryable: true, message: err.message }) : err;
  }
  if (err instanceof ApifyError) {
    return err.retryable ? err : ApplicationFailure.create({ type: FailureType.IcpScrapeFailed, nonRetryable: true, message: err.message });
  }
  if (err instanceof MissingStepError) return ApplicationFailure.create({ type: FailureType.PipelineStepMissing, nonRetryable: true, message: err.message });
  if (err instanceof z.ZodError) return ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: z.prettifyError(err) });
  return err instanceof Error ? err : new Error(String(err));
}

/** Runs fn and rethrows its error as a Temporal-aware failure. */
export async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}

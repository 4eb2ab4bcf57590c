// skillRunWorkflow (`skill-run:<runId>`): begin the run → generate (skill + rules + the client's
// context documents → Claude → output saved, usage recorded) → finish it → tell the requester
// (Telegram message edit or signed callback). Claude failures are retried by the generate
// activity's policy; the run then ends `failed` with the reason. Cancellation ends it `cancelled`
// and the requester is still told.
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { SkillRunActivities } from '../activities/skill-run';
import { LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import { skillRunProgressQuery, type SkillRunInput, type SkillRunProgress } from './definitions/skill-run';

const bookkeeping = proxyActivities<Pick<SkillRunActivities, 'skillRunBegin' | 'skillRunFinish'>>(SHORT_ACTIVITY);
const generation = proxyActivities<Pick<SkillRunActivities, 'skillRunGenerate'>>({
  // Up to two Claude calls (a validation retry) of up to 90 s each, or, for skills that read the web,
  // a tool loop of up to six calls plus page fetches (20 s each). Rate limits and outages retry until
  // fixed; invalid output, budget and missing-key failures are non-retryable and end the run.
  // (Activity options are not part of the command comparison: changing them needs no patch.)
  ...LONG_ACTIVITY,
  startToCloseTimeout: '15 minutes',
});
// A chat that blocked the bot or a deleted message (TelegramPermanentError) is not retried.
const notification = proxyActivities<Pick<SkillRunActivities, 'skillRunNotify'>>(SHORT_ACTIVITY);

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function skillRunWorkflow(input: SkillRunInput): Promise<SkillRunProgress> {
  const state: SkillRunProgress = { status: 'queued', step: 'starting', outputId: null, error: null };
  setHandler(skillRunProgressQuery, () => state);

  let cancellation: unknown;
  try {
    await bookkeeping.skillRunBegin(input.runId);
    state.status = 'running';
    state.step = 'generating';
    const out = await generation.skillRunGenerate(input.runId);
    state.outputId = out.outputId;
    state.step = 'saving';
    await bookkeeping.skillRunFinish({ runId: input.runId, status: 'completed' });
    state.status = 'completed';
  } catch (err) {
    if (isCancellation(err)) cancellation = err;
    const status = cancellation ? 'cancelled' : 'failed';
    state.status = status;
    state.error = cancellation ? 'cancelled on request' : failureMessage(err);
    await CancellationScope.nonCancellable(() => bookkeeping.skillRunFinish({ runId: input.runId, status, error: state.error ?? undefined }));
  }

  state.step = 'notifying';
  await CancellationScope.nonCancellable(async () => {
    try {
      await notification.skillRunNotify(input.runId);
    } catch {
      // The run's outcome stands; the failed notification is in this workflow's history.
    }
  });
  state.step = 'done';
  // Closed as what it was, so the Web UI shows cancelled and failed runs as such.
  if (cancellation) throw cancellation;
  if (state.status === 'failed') throw ApplicationFailure.nonRetryable(`skill run failed: ${state.error}`, 'SkillRunFailed');
  return state;
}

// playbookRunWorkflow (`playbook-run:<runId>`): a multi-skill playbook for one client.
//   begin (the run's plan: stages of step keys, which steps have checkpoints) → for each stage, every
//   step at once: start an attempt (a skill_runs row whose message is the step's instruction, the
//   request and the outputs it reads) → child skillRunWorkflow `skill-run:<skillRunId>` → the
//   output becomes the step's → after the stage, each checkpoint in order waits for a decision →
//   finish → tell the requester.
// Waits have no timeout: a checkpoint may be answered days later (the workflow holds no timer,
// only a condition). Decisions and retries are updates, serialised by a lock; their validators
// refuse what does not apply (no checkpoint open, another step's, a step that has not failed).
//   approve: go on. edit: the step's output text is replaced, then go on. reject: the run ends
//   `rejected` (to try again, start a new run; a "revise with a note" loop is not built).
// A failed step (its skill run failed for good, e.g. invalid output) does not end the run: the run
// waits in `step_failed` for a retryStep update, which starts a new attempt of that step only.
// Cancelling the run cancels its running children (same cancellation scope; the parent waits for
// each child's cancellation to complete) and marks unfinished steps cancelled.
//
// Action steps (the plan's `actions`: skill-improvement's propose-rules and publish-rules) run as one
// activity, `playbookActionRun`, instead of start → child skillRunWorkflow → completed; a failed one
// waits for a retry like a skill step (`playbookActionFailed` records it). Skill steps schedule
// exactly the commands they always did, and plans from before actions have no `actions`, so
// existing histories replay unchanged without a patch (test/temporal/replay.test.ts).
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ActivityFailure,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { TypedSearchAttributes } from '@temporalio/common';
import type { PlaybookRunActivities } from '../activities/playbook-run';
import { LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import {
  checkpointDecisionUpdate,
  playbookRunProgressQuery,
  retryStepUpdate,
  type CheckpointDecisionInput,
  type PlaybookRunInput,
  type PlaybookRunProgress,
} from './definitions/playbook-run';
import type { SkillRunInput } from './definitions/skill-run';
import { workflowIds } from './ids';
import { createLock } from './lock';
import { ClientIdKey, SkillSlugKey } from './search-attributes';
import type { skillRunWorkflow } from './skill-run';

const acts = proxyActivities<PlaybookRunActivities>(SHORT_ACTIVITY);
// propose-rules makes up to two Claude calls (a validation retry); outages retry until fixed, budget,
// invalid output and "nothing to improve" are non-retryable and fail the step.
const actions = proxyActivities<Pick<PlaybookRunActivities, 'playbookActionRun'>>({ ...LONG_ACTIVITY, startToCloseTimeout: '15 minutes' });
// A chat that blocked the bot is not retried (TelegramPermanentError); the run goes on regardless.
const notification = proxyActivities<Pick<PlaybookRunActivities, 'playbookRunNotify'>>(SHORT_ACTIVITY);

const MAX_EDIT_CHARS = 100_000;

function failureMessage(err: unknown): string {
  if ((err instanceof ChildWorkflowFailure || err instanceof ActivityFailure) && err.cause) {
    // A failed skill run says "skill run failed: <reason>"; the reason is its cause's message.
    const inner: unknown = err.cause.cause;
    return inner instanceof Error ? inner.message : err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function playbookRunWorkflow(input: PlaybookRunInput): Promise<PlaybookRunProgress> {
  const state: PlaybookRunProgress = { status: 'starting', steps: {}, checkpoint: null, failed: [], error: null };
  const exclusive = createLock();
  let decision: CheckpointDecisionInput | undefined;
  // Set synchronously when a decision is accepted, so a second one's validator refuses it.
  let decisionClaimed = false;
  const retryRequested = new Set<string>();
  const snapshot = (): PlaybookRunProgress => ({ ...state, steps: { ...state.steps }, failed: [...state.failed] });

  setHandler(playbookRunProgressQuery, () => state);
  setHandler(
    checkpointDecisionUpdate,
    (d) => {
      const step = state.checkpoint!;
      decisionClaimed = true;
      return exclusive(async () => {
        await acts.playbookCheckpointDecide({
          runId: input.runId,
          stepKey: step,
          decision: d.decision,
          output: d.output,
          note: d.note,
          userId: d.userId ?? null,
        });
        state.steps[step] = d.decision === 'reject' ? 'rejected' : 'approved';
        decision = d;
        return snapshot();
      });
    },
    {
      validator: (d) => {
        if (d.version !== 1) throw new Error(`unsupported decision version ${String(d.version)}`);
        if (!['approve', 'edit', 'reject'].includes(d.decision)) throw new Error(`unknown decision ${String(d.decision)}`);
        if (!state.checkpoint || decisionClaimed) throw new Error('no checkpoint is waiting for a decision');
        if (d.step !== undefined && d.step !== state.checkpoint) throw new Error(`the checkpoint waiting is after step ${state.checkpoint}, not ${d.step}`);
        if (d.decision === 'edit' && (typeof d.output !== 'string' || !d.output.trim() || d.output.length > MAX_EDIT_CHARS))
          throw new Error(`an edit needs the replacement output (1 to ${MAX_EDIT_CHARS} characters)`);
      },
    },
  );
  setHandler(
    retryStepUpdate,
    (r) => {
      const step = r.step ?? state.failed[0];
      state.failed = state.failed.filter((k) => k !== step);
      state.steps[step] = 'retrying';
      return exclusive(async () => {
        retryRequested.add(step);
        return snapshot();
      });
    },
    {
      validator: (r) => {
        if (r.version !== 1) throw new Error(`unsupported retry version ${String(r.version)}`);
        if (state.failed.length === 0) throw new Error('no step has failed');
        if (r.step !== undefined && !state.failed.includes(r.step)) throw new Error(`step ${r.step} has not failed`);
      },
    },
  );

  let plan: Awaited<ReturnType<PlaybookRunActivities['playbookRunBegin']>> | undefined;
  const runStep = async (stepKey: string): Promise<void> => {
    const action = plan?.actions?.[stepKey];
    for (let attempt = 1; ; attempt++) {
      state.steps[stepKey] = 'running';
      let skillRunId = '';
      try {
        if (action) {
          await actions.playbookActionRun({ runId: input.runId, stepKey, attempt });
        } else {
          const started = await acts.playbookStepStart({ runId: input.runId, stepKey, attempt });
          skillRunId = started.skillRunId;
          const child: SkillRunInput = { version: 1, runId: skillRunId, clientId: input.clientId, skillSlug: started.skillSlug };
          // A failed start (not the child) fails the run, as before action steps existed.
          await childRun(child);
        }
      } catch (err) {
        if (isCancellation(err) || (!action && !skillRunId)) throw err;
        const error = failureMessage(err);
        // Retryable before the rows say failed (a caller who read them is never refused).
        state.steps[stepKey] = 'failed';
        state.failed.push(stepKey);
        state.status = 'step_failed';
        state.error = `step ${stepKey} failed: ${error}`;
        if (action) await acts.playbookActionFailed({ runId: input.runId, stepKey, attempt, error });
        else await acts.playbookStepFailed({ runId: input.runId, stepKey, skillRunId, error });
        await notify('step_failed', stepKey);
        await condition(() => retryRequested.has(stepKey));
        retryRequested.delete(stepKey);
        state.error = null;
        if (state.failed.length === 0) state.status = 'running';
        continue;
      }
      if (!action) await acts.playbookStepCompleted({ runId: input.runId, stepKey, skillRunId });
      state.steps[stepKey] = 'completed';
      return;
    }
  };

  const childRun = (child: SkillRunInput) =>
    executeChild<typeof skillRunWorkflow>('skillRunWorkflow', {
      workflowId: workflowIds.skillRun(child.runId),
      args: [child],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ClientIdKey, value: input.clientId },
        { key: SkillSlugKey, value: child.skillSlug },
      ]),
    });

  const notify = async (event: 'checkpoint' | 'step_failed' | 'finished', stepKey?: string) => {
    await CancellationScope.nonCancellable(async () => {
      try {
        await notification.playbookRunNotify({ runId: input.runId, event, stepKey });
      } catch {
        // The run goes on; the failed notification is in this workflow's history.
      }
    });
  };

  let cancellation: unknown;
  try {
    const begun = await acts.playbookRunBegin(input.runId);
    plan = begun;
    for (const key of begun.stages.flat()) state.steps[key] = 'pending';
    state.status = 'running';
    stages: for (const stage of begun.stages) {
      // Every step of the stage to its end (a failed one waits for its retry) before the first
      // failure, if any, is passed on: a cancellation reaches all of them.
      const results = await Promise.allSettled(stage.map(runStep));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      for (const stepKey of stage.filter((k) => begun.checkpoints.includes(k))) {
        // Open to decisions before the rows say so (a caller who read them is never refused), and
        // under the lock, so a decision is stored only after the rows were opened.
        await exclusive(async () => {
          decision = undefined;
          decisionClaimed = false;
          state.steps[stepKey] = 'awaiting_approval';
          state.checkpoint = stepKey;
          state.status = 'awaiting_approval';
          await acts.playbookCheckpointOpen({ runId: input.runId, stepKey });
        });
        await notify('checkpoint', stepKey);
        await condition(() => decision !== undefined);
        state.checkpoint = null;
        if (decision!.decision === 'reject') {
          state.status = 'rejected';
          break stages;
        }
        state.status = 'running';
      }
    }
    if (state.status !== 'rejected') state.status = 'completed';
  } catch (err) {
    if (isCancellation(err)) cancellation = err;
    state.status = cancellation ? 'cancelled' : 'failed';
    state.error = cancellation ? 'cancelled on request' : failureMessage(err);
    state.checkpoint = null;
  }
  const status = state.status as 'completed' | 'rejected' | 'failed' | 'cancelled';
  await CancellationScope.nonCancellable(() => acts.playbookRunFinish({ runId: input.runId, status, error: state.error ?? undefined }));
  await notify('finished');
  // An update accepted just before the end finishes its reply first.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  if (cancellation) throw cancellation;
  if (status === 'failed') throw ApplicationFailure.nonRetryable(`playbook run failed: ${state.error}`, 'PlaybookRunFailed');
  return state;
}

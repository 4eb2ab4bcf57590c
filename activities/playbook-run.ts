// Activities of playbookRunWorkflow: thin adapters over src/engines/playbooks/runs.ts (each change
// guarded by the row's state, so a retried attempt changes nothing twice) and the chat notice.
// The workflow history holds ids, step keys and short strings; outputs stay in Postgres.
// Action steps (skill-improvement's propose-rules / publish-rules) run here instead of a child
// skill run: the attempt is claimed on the step row, the action runs, its output is saved on the row.
import { log } from '@temporalio/activity';
import {
  beginPlaybookRun,
  completeActionStep,
  completeStep,
  failActionStep,
  failStep,
  finishPlaybookRun,
  openCheckpoint,
  recordCheckpointDecision,
  startActionAttempt,
  startStepAttempt,
  type CheckpointDecision,
  type PlaybookNotify,
  type PlaybookPlan,
} from '../src/engines/playbooks/runs';
import { notifyPlaybookOnTelegram, type PlaybookEvent } from '../src/engines/telegram-bot/playbooks';
import { runInvalid } from '../src/engines/skill-runs/errors';
import { proposeRules, publishApprovedRules } from '../src/engines/playbooks/skill-improvement';
import { telegramFromConfig } from '../src/integrations/telegram';
import type { ActivityDeps } from './deps';
import { aiDepsFrom, asActivity, currentWorkflowId } from './ai';

export interface PlaybookRunActivities {
  playbookRunBegin(runId: string): Promise<PlaybookPlan>;
  playbookStepStart(a: { runId: string; stepKey: string; attempt: number }): Promise<{ skillRunId: string; skillSlug: string }>;
  playbookStepCompleted(a: { runId: string; stepKey: string; skillRunId: string }): Promise<{ outputId: string }>;
  playbookStepFailed(a: { runId: string; stepKey: string; skillRunId: string; error: string }): Promise<void>;
  playbookCheckpointOpen(a: { runId: string; stepKey: string }): Promise<void>;
  playbookCheckpointDecide(a: {
    runId: string;
    stepKey: string;
    decision: CheckpointDecision;
    output?: string;
    note?: string;
    userId: string | null;
  }): Promise<void>;
  playbookRunFinish(a: { runId: string; status: 'completed' | 'rejected' | 'failed' | 'cancelled'; error?: string }): Promise<void>;
  playbookRunNotify(a: { runId: string; event: PlaybookEvent; stepKey?: string }): Promise<'telegram' | 'none'>;
  /** Runs attempt `attempt` of an action step to its saved output; throws (non-retryable) when it cannot succeed. */
  playbookActionRun(a: { runId: string; stepKey: string; attempt: number }): Promise<{ action: string }>;
  playbookActionFailed(a: { runId: string; stepKey: string; attempt: number; error: string }): Promise<void>;
}

export function createPlaybookRunActivities(deps: ActivityDeps): PlaybookRunActivities {
  const ai = aiDepsFrom(deps);
  return {
    playbookRunBegin: (runId) => beginPlaybookRun(deps.db, runId),
    async playbookStepStart(a) {
      const { skillRunId } = await startStepAttempt(deps.db, a);
      const run = await deps.db.skillRun.findUnique({ where: { id: skillRunId }, select: { skillSlug: true } });
      if (!run) throw runInvalid(`skill run ${skillRunId} of step ${a.stepKey} is gone`);
      return { skillRunId, skillSlug: run.skillSlug };
    },
    playbookStepCompleted: (a) => completeStep(deps.db, a),
    playbookStepFailed: (a) => failStep(deps.db, a),
    playbookCheckpointOpen: (a) => openCheckpoint(deps.db, a),
    playbookCheckpointDecide: (a) => recordCheckpointDecision(deps.db, a),
    async playbookRunFinish({ runId, status, error }) {
      await finishPlaybookRun(deps.db, runId, status, error);
    },
    async playbookRunNotify(a) {
      const run = await deps.db.playbookRun.findUnique({ where: { id: a.runId }, select: { notify: true } });
      const notify = run?.notify as PlaybookNotify | null | undefined;
      if (notify?.kind !== 'telegram') return 'none';
      const bot = telegramFromConfig(deps.config);
      if (!bot) {
        log.warn('a playbook run asked for Telegram messages but Telegram is not configured', { runId: a.runId });
        return 'none';
      }
      // At least once: a retried attempt after a lost reply may send the message twice (the
      // buttons of both act on the same checkpoint; the second press is refused as decided).
      return (await notifyPlaybookOnTelegram(deps.db, bot, notify, a)) === 'sent' ? 'telegram' : 'none';
    },
    async playbookActionRun(a) {
      const { done, step, inputs } = await startActionAttempt(deps.db, a);
      const action = step.action!;
      if (done !== null) return { action };
      const output = await asActivity(async () => {
        if (action === 'propose-rules')
          return (await proposeRules(deps.db, ai, { runId: a.runId, instruction: step.instruction, workflowId: currentWorkflowId() })).output;
        if (action === 'publish-rules') {
          // The definition guarantees one input: the proposal, as approved (or edited) at its checkpoint.
          const proposal = inputs[0];
          if (proposal?.status !== 'approved' || proposal.output === null) throw runInvalid(`step ${a.stepKey} publishes a proposal that was not approved`);
          return (await publishApprovedRules(deps.db, { runId: a.runId, approved: proposal.output, approvedBy: proposal.decidedBy })).output;
        }
        throw runInvalid(`unknown action ${action}`);
      });
      await completeActionStep(deps.db, { ...a, output });
      return { action };
    },
    playbookActionFailed: (a) => failActionStep(deps.db, a),
  };
}

// Playbook runs as rows: created queued (with a copy of the playbook's steps) by the API or the bot,
// moved on by playbookRunWorkflow's activities. Every change is guarded by the row's current state,
// so a retried activity changes nothing twice. A step's attempt is a skill run (skill_runs row and
// its own skillRunWorkflow); what later steps read is the step's `output` text.
import { Prisma, type Db, type PlaybookRun, type PlaybookRunStep } from '../../db/client';
import { runInvalid } from '../skill-runs/errors';
import { currentVersion, findRunnableSkill } from '../skill-runs/skill-store';
import { needsTargetSkill, stages, type PlaybookAction } from './definition';
import { missingSkills, playbookSteps } from './library';

export const PLAYBOOK_RUN_STATUSES = ['queued', 'running', 'awaiting_approval', 'step_failed', 'completed', 'rejected', 'failed', 'cancelled'] as const;
export type PlaybookRunStatus = (typeof PLAYBOOK_RUN_STATUSES)[number];
export const PLAYBOOK_RUN_TERMINAL: readonly PlaybookRunStatus[] = ['completed', 'rejected', 'failed', 'cancelled'];
export const STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'awaiting_approval', 'approved', 'rejected', 'cancelled'] as const;
export type PlaybookStepStatus = (typeof STEP_STATUSES)[number];
export type CheckpointDecision = 'approve' | 'edit' | 'reject';

/** Where a run's checkpoints and end are announced. */
export type PlaybookNotify = { kind: 'telegram'; chatId: string };

export class UnknownPlaybook extends Error {
  constructor(slug: string) {
    super(`no playbook ${slug}`);
    this.name = 'UnknownPlaybook';
  }
}

export class PlaybookSkillsMissing extends Error {
  constructor(readonly skills: string[]) {
    super(`the playbook needs skills that are not installed: ${skills.join(', ')}`);
    this.name = 'PlaybookSkillsMissing';
  }
}

/** A playbook whose steps act on a skill (skill-improvement) runs only for a target skill, and the other way round. */
export class PlaybookTargetMismatch extends Error {
  constructor(
    slug: string,
    readonly needsTarget: boolean,
  ) {
    super(
      needsTarget
        ? `playbook ${slug} works on a skill: start it through POST /api/v1/skills/{slug}/improvements (or a client's skill's)`
        : `playbook ${slug} does not work on a skill`,
    );
    this.name = 'PlaybookTargetMismatch';
  }
}

export interface NewPlaybookRun {
  clientId: string;
  userId: string | null;
  playbookSlug: string;
  request: string;
  source: 'api' | 'telegram';
  notify?: PlaybookNotify | null;
  /** The skill a skill-improvement run works on, at its current version (built-ins: platform admins only see the run). */
  target?: { skill: { id: string; slug: string; clientId: string | null; version: number } };
}

/** The run (queued) and its steps, copied from the playbook as it is now. Throws UnknownPlaybook, PlaybookSkillsMissing, PlaybookTargetMismatch. */
export async function createPlaybookRun(db: Db, r: NewPlaybookRun): Promise<PlaybookRun> {
  const playbook = await db.playbook.findUnique({ where: { slug: r.playbookSlug } });
  if (!playbook) throw new UnknownPlaybook(r.playbookSlug);
  const steps = playbookSteps(playbook);
  if (needsTargetSkill(steps) !== Boolean(r.target)) throw new PlaybookTargetMismatch(playbook.slug, needsTargetSkill(steps));
  const missing = await missingSkills(db, steps);
  if (missing.length) throw new PlaybookSkillsMissing(missing);
  const target = r.target?.skill;
  return db.playbookRun.create({
    data: {
      clientId: r.clientId,
      userId: r.userId,
      playbookSlug: playbook.slug,
      playbookVersion: playbook.version,
      request: r.request,
      source: r.source,
      notify: r.notify ?? Prisma.DbNull,
      targetSkillId: target?.id ?? null,
      targetVersion: target?.version ?? null,
      platformOnly: target ? target.clientId === null : false,
      steps: {
        create: steps.map((s, position) => ({
          key: s.key,
          position,
          parallel: s.parallel,
          // An action step acts on the target skill.
          skillSlug: s.skill ?? target!.slug,
          action: s.action ?? null,
          instruction: s.instruction,
          inputs: s.inputs,
          checkpoint: s.checkpoint,
        })),
      },
    },
  });
}

const stepsOf = (db: Db, runId: string) => db.playbookRunStep.findMany({ where: { runId }, orderBy: { position: 'asc' } });

export interface PlaybookPlan {
  /** Step keys by stage, in order: a stage's steps run at once. */
  stages: string[][];
  /** Keys of the steps followed by a checkpoint. */
  checkpoints: string[];
  /** Steps that run a built-in action (an activity) instead of a child skill run; absent in plans from before actions. */
  actions?: Record<string, PlaybookAction>;
}

/** Marks the run running (idempotent) and returns its plan; a run that is gone or over cannot begin. */
export async function beginPlaybookRun(db: Db, runId: string, now = new Date()): Promise<PlaybookPlan> {
  await db.playbookRun.updateMany({ where: { id: runId, status: 'queued' }, data: { status: 'running', startedAt: now } });
  const run = await db.playbookRun.findUnique({ where: { id: runId } });
  if (!run) throw runInvalid(`playbook run ${runId} does not exist`);
  if (PLAYBOOK_RUN_TERMINAL.includes(run.status as PlaybookRunStatus)) throw runInvalid(`playbook run ${runId} is ${run.status}`);
  const steps = await stepsOf(db, runId);
  return {
    stages: stages(steps).map((stage) => stage.map((i) => steps[i].key)),
    checkpoints: steps.filter((s) => s.checkpoint).map((s) => s.key),
    ...(steps.some((s) => s.action) ? { actions: Object.fromEntries(steps.flatMap((s) => (s.action ? [[s.key, s.action as PlaybookAction]] : []))) } : {}),
  };
}

/** What the step's skill run is asked: the step's instruction, the run's request and the outputs it reads. */
export function composeStepMessage(step: Pick<PlaybookRunStep, 'key' | 'instruction'>, request: string, inputs: { key: string; output: string }[]): string {
  const parts = [step.instruction.trim(), `## The request\n\n${request.trim()}`];
  for (const input of inputs) parts.push(`## Output of the "${input.key}" step\n\n${input.output.trim()}`);
  return parts.join('\n\n');
}

/**
 * Starts attempt `attempt` of a step: a queued skill run with the composed message, recorded on the
 * step in the same transaction. Idempotent: a repeated call for the same attempt returns the same
 * skill run (the step row's attempts counter is the compare-and-set).
 */
export async function startStepAttempt(db: Db, a: { runId: string; stepKey: string; attempt: number }, now = new Date()): Promise<{ skillRunId: string }> {
  const run = await db.playbookRun.findUnique({ where: { id: a.runId } });
  if (!run) throw runInvalid(`playbook run ${a.runId} does not exist`);
  const steps = await stepsOf(db, a.runId);
  const step = steps.find((s) => s.key === a.stepKey);
  if (!step) throw runInvalid(`playbook run ${a.runId} has no step ${a.stepKey}`);
  const inputs = step.inputs.map((key) => {
    const from = steps.find((s) => s.key === key);
    if (from?.output == null) throw runInvalid(`step ${a.stepKey} reads ${key}, which has no output`);
    return { key, output: from.output };
  });
  const message = composeStepMessage(step, run.request, inputs);
  // The client's own skill of that slug, else the built-in, at its current version: the step's run
  // generates with exactly that version even if the skill changes while the playbook waits.
  const skill = await findRunnableSkill(db, run.clientId, step.skillSlug);
  if (!skill) throw runInvalid(`step ${a.stepKey} runs skill ${step.skillSlug}, which does not exist`);
  const version = await currentVersion(db, skill);
  return db.$transaction(async (tx) => {
    const claimed = await tx.playbookRunStep.updateMany({
      where: { id: step.id, attempts: a.attempt - 1 },
      data: { attempts: a.attempt, status: 'running', error: null, startedAt: now, completedAt: null },
    });
    if (claimed.count === 0) {
      const current = await tx.playbookRunStep.findUniqueOrThrow({ where: { id: step.id } });
      if (current.attempts !== a.attempt || !current.skillRunId) throw runInvalid(`step ${a.stepKey} is at attempt ${current.attempts}, not ${a.attempt}`);
      return { skillRunId: current.skillRunId };
    }
    const skillRun = await tx.skillRun.create({
      data: {
        clientId: run.clientId,
        userId: run.userId,
        skillSlug: step.skillSlug,
        skillVersionId: version.id,
        skillVersion: version.version,
        message,
        source: 'playbook',
        notify: Prisma.DbNull,
      },
    });
    await tx.playbookRunStep.update({ where: { id: step.id }, data: { skillRunId: skillRun.id } });
    await tx.playbookRun.updateMany({ where: { id: a.runId, status: { in: ['running', 'step_failed', 'awaiting_approval'] } }, data: { status: 'running' } });
    return { skillRunId: skillRun.id };
  });
}

/**
 * Starts attempt `attempt` of an action step (the attempts counter is the compare-and-set). Returns
 * the step and its inputs' rows, or `done` with the output when this attempt already completed
 * (a retried activity after its work was saved).
 */
export async function startActionAttempt(
  db: Db,
  a: { runId: string; stepKey: string; attempt: number },
  now = new Date(),
): Promise<{ done: string | null; step: PlaybookRunStep; inputs: PlaybookRunStep[] }> {
  const steps = await stepsOf(db, a.runId);
  const step = steps.find((s) => s.key === a.stepKey);
  if (!step?.action) throw runInvalid(`playbook run ${a.runId} has no action step ${a.stepKey}`);
  const claimed = await db.playbookRunStep.updateMany({
    where: { id: step.id, attempts: a.attempt - 1 },
    data: { attempts: a.attempt, status: 'running', error: null, output: null, startedAt: now, completedAt: null },
  });
  const current = await db.playbookRunStep.findUniqueOrThrow({ where: { id: step.id } });
  if (claimed.count === 0 && current.attempts !== a.attempt) throw runInvalid(`step ${a.stepKey} is at attempt ${current.attempts}, not ${a.attempt}`);
  if (claimed.count > 0) {
    await db.playbookRun.updateMany({ where: { id: a.runId, status: { in: ['running', 'step_failed', 'awaiting_approval'] } }, data: { status: 'running' } });
  }
  const done = current.status !== 'running' && current.status !== 'failed' && current.output !== null ? current.output : null;
  return { done, step: current, inputs: step.inputs.map((key) => steps.find((s) => s.key === key)!).filter(Boolean) };
}

/** The action attempt's output becomes the step's; idempotent. */
export async function completeActionStep(db: Db, a: { runId: string; stepKey: string; attempt: number; output: string }, now = new Date()): Promise<void> {
  await db.playbookRunStep.updateMany({
    where: { runId: a.runId, key: a.stepKey, attempts: a.attempt, status: 'running' },
    data: { status: 'completed', output: a.output, edited: false, completedAt: now },
  });
}

/** The action attempt failed: the step waits for a retry, and so does the run. */
export async function failActionStep(db: Db, a: { runId: string; stepKey: string; attempt: number; error: string }, now = new Date()): Promise<void> {
  await db.playbookRunStep.updateMany({
    where: { runId: a.runId, key: a.stepKey, attempts: a.attempt, status: 'running' },
    data: { status: 'failed', error: a.error.slice(0, 2000), completedAt: now },
  });
  await db.playbookRun.updateMany({ where: { id: a.runId, status: { in: ['running', 'awaiting_approval'] } }, data: { status: 'step_failed' } });
}

/** The attempt's output becomes the step's; idempotent. */
export async function completeStep(db: Db, a: { runId: string; stepKey: string; skillRunId: string }, now = new Date()): Promise<{ outputId: string }> {
  const output = await db.output.findUnique({ where: { runId: a.skillRunId } });
  if (!output) throw runInvalid(`skill run ${a.skillRunId} of step ${a.stepKey} saved no output`);
  await db.playbookRunStep.updateMany({
    where: { runId: a.runId, key: a.stepKey, skillRunId: a.skillRunId, status: 'running' },
    data: { status: 'completed', outputId: output.id, output: output.content, edited: false, completedAt: now },
  });
  return { outputId: output.id };
}

/** The attempt failed: the step waits for a retry, and so does the run. */
export async function failStep(db: Db, a: { runId: string; stepKey: string; skillRunId: string; error: string }, now = new Date()): Promise<void> {
  await db.playbookRunStep.updateMany({
    where: { runId: a.runId, key: a.stepKey, skillRunId: a.skillRunId, status: 'running' },
    data: { status: 'failed', error: a.error.slice(0, 2000), completedAt: now },
  });
  await db.playbookRun.updateMany({ where: { id: a.runId, status: { in: ['running', 'awaiting_approval'] } }, data: { status: 'step_failed' } });
}

/** The step's checkpoint is open: step and run await a decision. */
export async function openCheckpoint(db: Db, a: { runId: string; stepKey: string }): Promise<void> {
  await db.playbookRunStep.updateMany({ where: { runId: a.runId, key: a.stepKey, status: 'completed' }, data: { status: 'awaiting_approval' } });
  await db.playbookRun.updateMany({ where: { id: a.runId, status: { in: ['running', 'step_failed'] } }, data: { status: 'awaiting_approval' } });
}

/** A human's decision at a checkpoint (an edit replaces the text later steps read); idempotent. */
export async function recordCheckpointDecision(
  db: Db,
  a: { runId: string; stepKey: string; decision: CheckpointDecision; output?: string; note?: string; userId?: string | null },
): Promise<void> {
  const status: PlaybookStepStatus = a.decision === 'reject' ? 'rejected' : 'approved';
  await db.playbookRunStep.updateMany({
    where: { runId: a.runId, key: a.stepKey, status: 'awaiting_approval' },
    data: {
      status,
      decidedBy: a.userId ?? null,
      decisionNote: a.note ?? null,
      ...(a.decision === 'edit' && a.output !== undefined ? { output: a.output, edited: true } : {}),
    },
  });
  if (a.decision !== 'reject') await db.playbookRun.updateMany({ where: { id: a.runId, status: 'awaiting_approval' }, data: { status: 'running' } });
}

/** Ends the run once; steps that never finished are marked cancelled. */
export async function finishPlaybookRun(
  db: Db,
  runId: string,
  status: Extract<PlaybookRunStatus, 'completed' | 'rejected' | 'failed' | 'cancelled'>,
  error?: string,
  now = new Date(),
): Promise<PlaybookRun | null> {
  return db.$transaction(async (tx) => {
    const ended = await tx.playbookRun.updateMany({
      where: { id: runId, status: { notIn: [...PLAYBOOK_RUN_TERMINAL] } },
      data: { status, error: error ? error.slice(0, 2000) : null, completedAt: now },
    });
    if (ended.count > 0 && status !== 'completed') {
      await tx.playbookRunStep.updateMany({ where: { runId, status: { in: ['pending', 'running', 'awaiting_approval'] } }, data: { status: 'cancelled' } });
    }
    return tx.playbookRun.findUnique({ where: { id: runId } });
  });
}

export interface PlaybookStepView {
  key: string;
  position: number;
  skill: string;
  action: PlaybookAction | null;
  parallel: string | null;
  inputs: string[];
  checkpoint: string | null;
  status: PlaybookStepStatus;
  attempts: number;
  skillRunId: string | null;
  outputId: string | null;
  output: string | null;
  edited: boolean;
  error: string | null;
  decisionNote: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface PlaybookRunView {
  playbookRunId: string;
  clientId: string;
  playbook: string;
  playbookVersion: number;
  request: string;
  /** skill-improvement: the skill the run works on and the version it improves. */
  target: { skillId: string | null; skill: string; builtIn: boolean; version: number } | null;
  status: PlaybookRunStatus;
  source: string;
  error: string | null;
  /** The step a decision is awaited for, or the failed step a retry is awaited for. */
  waitingFor: { step: string; kind: 'checkpoint' | 'retry' } | null;
  steps: PlaybookStepView[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export function playbookRunView(run: PlaybookRun, steps: PlaybookRunStep[]): PlaybookRunView {
  const actionStep = steps.find((s) => s.action);
  const sorted = [...steps].sort((x, y) => x.position - y.position);
  const awaiting = sorted.find((s) => s.status === 'awaiting_approval');
  const failed = sorted.find((s) => s.status === 'failed');
  const live = !PLAYBOOK_RUN_TERMINAL.includes(run.status as PlaybookRunStatus);
  return {
    playbookRunId: run.id,
    clientId: run.clientId,
    playbook: run.playbookSlug,
    playbookVersion: run.playbookVersion,
    request: run.request,
    target:
      run.targetVersion !== null && actionStep
        ? { skillId: run.targetSkillId, skill: actionStep.skillSlug, builtIn: run.platformOnly, version: run.targetVersion }
        : null,
    status: run.status as PlaybookRunStatus,
    source: run.source,
    error: run.error,
    waitingFor: !live ? null : awaiting ? { step: awaiting.key, kind: 'checkpoint' } : failed ? { step: failed.key, kind: 'retry' } : null,
    steps: sorted.map((s) => ({
      key: s.key,
      position: s.position,
      skill: s.skillSlug,
      action: (s.action as PlaybookAction | null) ?? null,
      parallel: s.parallel,
      inputs: s.inputs,
      checkpoint: s.checkpoint,
      status: s.status as PlaybookStepStatus,
      attempts: s.attempts,
      skillRunId: s.skillRunId,
      outputId: s.outputId,
      output: s.output,
      edited: s.edited,
      error: s.error,
      decisionNote: s.decisionNote,
      startedAt: s.startedAt?.toISOString() ?? null,
      completedAt: s.completedAt?.toISOString() ?? null,
    })),
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    completedAt: run.completedAt?.toISOString() ?? null,
  };
}

export async function loadPlaybookRunView(db: Db, runId: string): Promise<PlaybookRunView | null> {
  const run = await db.playbookRun.findUnique({ where: { id: runId }, include: { steps: true } });
  return run ? playbookRunView(run, run.steps) : null;
}

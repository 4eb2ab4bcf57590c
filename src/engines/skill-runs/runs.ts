// Skill runs as rows: created queued by the API, moved on by the workflow's activities, finished
// with the tokens and cost summed from the ai_usage rows of the run (so retried Claude calls count).
import { Prisma, type Db, type Output, type RunStatus, type SkillRun } from '../../db/client';
import { runInvalid } from './errors';
import { emitEvent } from '../events';
import { currentVersion, findRunnableSkill } from './skill-store';

/** How a finished run reaches its requester. */
export type RunNotify = { kind: 'telegram'; chatId: string; messageId: number } | { kind: 'callback'; url: string };

export interface NewRun {
  clientId: string;
  userId: string | null;
  skillSlug: string;
  message: string;
  source: 'api' | 'telegram';
  notify?: RunNotify | null;
  /** The failed or cancelled run this one retries. */
  retryOfId?: string | null;
}

export const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export class UnknownSkill extends Error {
  constructor(slug: string) {
    super(`no skill ${slug}`);
    this.name = 'UnknownSkill';
  }
}

/**
 * A queued run of the skill as the client sees it (its own, else the built-in), recording the
 * skill's current version: the run generates with exactly that version whatever changes later.
 */
export async function createRun(db: Db, r: NewRun): Promise<SkillRun> {
  const skill = await findRunnableSkill(db, r.clientId, r.skillSlug);
  if (!skill) throw new UnknownSkill(r.skillSlug);
  const version = await currentVersion(db, skill);
  return db.skillRun.create({
    data: {
      clientId: r.clientId,
      skillVersionId: version.id,
      skillVersion: version.version,
      userId: r.userId,
      skillSlug: r.skillSlug,
      message: r.message,
      source: r.source,
      notify: r.notify ?? Prisma.DbNull,
      retryOfId: r.retryOfId ?? null,
    },
  });
}

/**
 * A playbook step's run is retried through its playbook run (POST /playbook-runs/{id}/retry), which
 * waits for it: a retry made here would produce an output the playbook never reads.
 */
export const playbookStepRun = () =>
  new RunNotRetryable('playbook_step', 'this run is a playbook step: retry the step through its playbook run (POST /api/v1/playbook-runs/{id}/retry)');

/** Runs that may be retried: they ended without an output. */
export const RETRYABLE: readonly RunStatus[] = ['failed', 'cancelled'];

export class RunNotRetryable extends Error {
  constructor(
    readonly reason: 'status' | 'already_retried' | 'playbook_step',
    message: string,
    readonly retryRunId?: string,
  ) {
    super(message);
    this.name = 'RunNotRetryable';
  }
}

/**
 * A new queued run with the inputs of `original` (skill, message, source, callback), linked to it by
 * retryOfId. A run is retried once (the unique retryOfId decides between two racing requests); to
 * try again after a failed retry, retry the retry. A Telegram "working…" message is not reused: the
 * retry's requester is the caller. Throws RunNotRetryable, UnknownSkill.
 */
export async function createRetryRun(db: Db, original: SkillRun, userId: string | null): Promise<SkillRun> {
  if (!RETRYABLE.includes(original.status))
    throw new RunNotRetryable('status', `only a failed or cancelled run can be retried; this one is ${original.status}`);
  if (original.source === 'playbook') throw playbookStepRun();
  const existing = await db.skillRun.findUnique({ where: { retryOfId: original.id }, select: { id: true } });
  if (existing) throw new RunNotRetryable('already_retried', `the run was already retried as ${existing.id}`, existing.id);
  const notify = original.notify as RunNotify | null;
  try {
    return await createRun(db, {
      clientId: original.clientId,
      userId,
      skillSlug: original.skillSlug,
      message: original.message,
      source: original.source === 'telegram' ? 'telegram' : 'api',
      notify: notify?.kind === 'callback' ? notify : null,
      retryOfId: original.id,
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      const winner = await db.skillRun.findUnique({ where: { retryOfId: original.id }, select: { id: true } });
      throw new RunNotRetryable('already_retried', `the run was already retried${winner ? ` as ${winner.id}` : ''}`, winner?.id);
    }
    throw err;
  }
}

export interface RunFilter {
  clientIds: { in: string[] } | { notIn: string[] };
  skill?: string;
  status?: RunStatus;
  source?: string;
  userId?: string;
  from?: Date;
  to?: Date;
  after?: { createdAt: Date; id: string };
  take: number;
}

/** Runs newest first (the clients' own, soft-deleted clients left out), with their output ids. */
export async function listRuns(db: Db, f: RunFilter): Promise<Array<SkillRun & { outputId: string | null }>> {
  const and: Prisma.SkillRunWhereInput[] = [{ clientId: f.clientIds }, { client: { deletedAt: null } }];
  if (f.skill) and.push({ skillSlug: f.skill });
  if (f.status) and.push({ status: f.status });
  if (f.source) and.push({ source: f.source });
  if (f.userId) and.push({ userId: f.userId });
  if (f.from) and.push({ createdAt: { gte: f.from } });
  if (f.to) and.push({ createdAt: { lt: f.to } });
  if (f.after) and.push({ OR: [{ createdAt: { lt: f.after.createdAt } }, { createdAt: f.after.createdAt, id: { lt: f.after.id } }] });
  const runs = await db.skillRun.findMany({ where: { AND: and }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: f.take });
  const outputs = await db.output.findMany({ where: { runId: { in: runs.map((r) => r.id) } }, select: { id: true, runId: true } });
  const byRun = new Map(outputs.map((o) => [o.runId, o.id]));
  return runs.map((r) => ({ ...r, outputId: byRun.get(r.id) ?? null }));
}

/** Marks the run running (idempotent) and returns it; a run that is gone or finished cannot begin. */
export async function beginRun(db: Db, runId: string, now = new Date()): Promise<SkillRun> {
  await db.skillRun.updateMany({ where: { id: runId, status: 'queued' }, data: { status: 'running', startedAt: now } });
  const run = await db.skillRun.findUnique({ where: { id: runId } });
  if (!run) throw runInvalid(`skill run ${runId} does not exist`);
  if (run.status !== 'running') throw runInvalid(`skill run ${runId} is ${run.status}`);
  return run;
}

/** Ends the run once (a second call changes nothing) with its tokens and cost summed from ai_usage. */
export async function finishRun(
  db: Db,
  runId: string,
  status: 'completed' | 'failed' | 'cancelled',
  error?: string,
  now = new Date(),
): Promise<SkillRun | null> {
  const usage = await db.aiUsage.aggregate({
    where: { runId },
    _sum: { inputTokens: true, outputTokens: true, costUsd: true },
  });
  return db.$transaction(async (tx) => {
    const ended = await tx.skillRun.updateMany({
      where: { id: runId, status: { notIn: [...TERMINAL] } },
      data: {
        status,
        error: error ? error.slice(0, 2000) : null,
        completedAt: now,
        inputTokens: usage._sum.inputTokens ?? 0,
        outputTokens: usage._sum.outputTokens ?? 0,
        costUsd: usage._sum.costUsd ?? new Prisma.Decimal(0),
      },
    });
    const run = await tx.skillRun.findUnique({ where: { id: runId } });
    // Outbound event, with the change (a run ends once, so a repeated call emits nothing).
    if (ended.count > 0 && run) {
      const output = await tx.output.findFirst({ where: { runId }, select: { id: true } });
      await emitEvent(tx, {
        clientId: run.clientId,
        type: 'run.completed',
        data: { runId, skill: run.skillSlug, status, error: run.error, outputId: output?.id ?? null },
      });
    }
    return run;
  });
}

export interface RunView {
  runId: string;
  clientId: string;
  skill: string;
  message: string;
  status: RunStatus;
  source: string;
  error: string | null;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outputId: string | null;
  /** The run this one retries. */
  retryOf: string | null;
  /** The skill version the run generates with (null: a run from before versions were recorded). */
  skillVersion: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export function runView(run: SkillRun, outputId: string | null): RunView {
  return {
    runId: run.id,
    clientId: run.clientId,
    skill: run.skillSlug,
    message: run.message,
    status: run.status,
    source: run.source,
    error: run.error,
    attempts: run.attempts,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    costUsd: Number(run.costUsd.toFixed(6)),
    outputId,
    retryOf: run.retryOfId,
    skillVersion: run.skillVersion,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    completedAt: run.completedAt?.toISOString() ?? null,
  };
}

// ---- outputs ------------------------------------------------------------------------------------

export interface OutputFilter {
  /** Which clients' outputs: a list, or every client except some (soft-deleted ones). */
  clientIds: { in: string[] } | { notIn: string[] };
  skill?: string;
  from?: Date;
  to?: Date;
  /** Newest first, after this row (cursor pagination over createdAt, id). */
  after?: { createdAt: Date; id: string };
  take: number;
}

export async function listOutputs(db: Db, f: OutputFilter): Promise<Output[]> {
  const and: Prisma.OutputWhereInput[] = [{ deletedAt: null }];
  and.push({ clientId: f.clientIds });
  if (f.skill) and.push({ skillSlug: f.skill });
  if (f.from) and.push({ createdAt: { gte: f.from } });
  if (f.to) and.push({ createdAt: { lt: f.to } });
  if (f.after) and.push({ OR: [{ createdAt: { lt: f.after.createdAt } }, { createdAt: f.after.createdAt, id: { lt: f.after.id } }] });
  return db.output.findMany({ where: { AND: and }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: f.take });
}

export function outputView(o: Output, opts: { content?: boolean } = {}) {
  return {
    outputId: o.id,
    runId: o.runId,
    clientId: o.clientId,
    skill: o.skillSlug,
    title: o.title,
    format: o.format,
    chars: o.content.length,
    preview: o.content.slice(0, 500),
    ...(opts.content ? { content: o.content } : {}),
    createdAt: o.createdAt.toISOString(),
  };
}

/** A file name for the download: the title in lower-case words, then the date. */
export function outputFileName(o: Pick<Output, 'title' | 'skillSlug' | 'createdAt'>, extension: 'md' | 'docx' = 'md'): string {
  const words =
    o.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || o.skillSlug;
  return `${words}-${o.createdAt.toISOString().slice(0, 10)}.${extension}`;
}

/** What a requester is told when the run ends (callback body, chat message). */
export interface RunOutcome {
  runId: string;
  clientId: string;
  clientName: string;
  skill: string;
  skillName: string;
  status: 'completed' | 'failed' | 'cancelled';
  outputId: string | null;
  title: string | null;
  /** The output's first 500 characters. */
  preview: string | null;
  error: string | null;
  notify: RunNotify | null;
}

export async function runOutcome(db: Db, runId: string): Promise<RunOutcome | null> {
  const run = await db.skillRun.findUnique({ where: { id: runId }, include: { client: { select: { name: true } } } });
  if (!run || !TERMINAL.includes(run.status)) return null;
  const [output, skill] = await Promise.all([
    db.output.findUnique({ where: { runId } }),
    run.skillVersionId
      ? db.skillVersion.findUnique({ where: { id: run.skillVersionId }, select: { name: true } })
      : findRunnableSkill(db, run.clientId, run.skillSlug),
  ]);
  return {
    runId,
    clientId: run.clientId,
    clientName: run.client.name,
    skill: run.skillSlug,
    skillName: skill?.name ?? run.skillSlug,
    status: run.status as RunOutcome['status'],
    outputId: output?.id ?? null,
    title: output?.title ?? null,
    preview: output ? output.content.slice(0, 500) : null,
    error: run.error,
    notify: (run.notify as RunNotify | null) ?? null,
  };
}

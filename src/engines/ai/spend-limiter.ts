// AI spend limiter: every Claude call first checks the client's daily budget (the sum of
// ai_usage.costUsd for the current UTC day against clients.aiDailyBudgetUsd, or its plan's budget
// when that is null) and records what it used afterwards. The database is passed in. Two calls racing at the edge of the budget can both
// pass the check; the overshoot is bounded by one call each, and the next call fails.
import { Prisma, type Db } from '../../db/client';
import { AI_CLIENT_NOT_FOUND, budgetExceeded } from './errors';
import { aiDailyBudgetOf } from '../plans';
import { ApplicationFailure } from '@temporalio/common';
import { aiSpend, aiTokens, boundedLabel } from '../../observability/metrics';

export interface UsageRecord {
  clientId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  purpose: string;
  skillSlug?: string | null;
  workflowId?: string | null;
  runId?: string | null;
}

export interface DailySpend {
  clientId: string;
  day: string;
  budgetUsd: number;
  spentUsd: number;
  remainingUsd: number;
}

const DAY_MS = 86_400_000;

/** The UTC day containing `now`: [start, end) and its YYYY-MM-DD name. */
export function utcDay(now: Date): { start: Date; end: Date; day: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start, end: new Date(start.getTime() + DAY_MS), day: start.toISOString().slice(0, 10) };
}

const usd = (d: Prisma.Decimal | null | undefined) => (d ? Number(d.toFixed(6)) : 0);

export async function dailySpend(db: Db, clientId: string, now: Date = new Date()): Promise<DailySpend> {
  const client = await db.client.findFirst({ where: { id: clientId, deletedAt: null }, select: { aiDailyBudgetUsd: true, tier: true } });
  if (!client) {
    throw ApplicationFailure.create({ type: AI_CLIENT_NOT_FOUND, nonRetryable: true, message: `client ${clientId} not found` });
  }
  const { start, end, day } = utcDay(now);
  const agg = await db.aiUsage.aggregate({
    _sum: { costUsd: true },
    where: { clientId, createdAt: { gte: start, lt: end } },
  });
  // The client's own budget when set, its plan's otherwise.
  const budgetUsd = aiDailyBudgetOf(client).usd;
  const spentUsd = usd(agg._sum.costUsd);
  return { clientId, day, budgetUsd, spentUsd, remainingUsd: Math.max(0, Math.round((budgetUsd - spentUsd) * 1e6) / 1e6) };
}

/** Throws the non-retryable AIBudgetExceeded failure when today's spend has reached the budget. */
export async function assertWithinBudget(db: Db, clientId: string, now: Date = new Date()): Promise<DailySpend> {
  const spend = await dailySpend(db, clientId, now);
  if (spend.spentUsd >= spend.budgetUsd) {
    throw budgetExceeded({ clientId, budgetUsd: spend.budgetUsd, spentUsd: spend.spentUsd, day: spend.day });
  }
  return spend;
}

export async function recordUsage(db: Db, r: UsageRecord, now: Date = new Date()): Promise<void> {
  await db.aiUsage.create({
    data: {
      clientId: r.clientId,
      model: r.model,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      costUsd: new Prisma.Decimal(r.costUsd.toFixed(6)),
      purpose: r.purpose,
      skillSlug: r.skillSlug ?? null,
      workflowId: r.workflowId ?? null,
      runId: r.runId ?? null,
      createdAt: now,
    },
  });
  const model = boundedLabel(r.model);
  aiSpend.inc({ model, purpose: boundedLabel(r.purpose) }, r.costUsd);
  aiTokens.inc({ model, direction: 'input' }, r.inputTokens);
  aiTokens.inc({ model, direction: 'output' }, r.outputTokens);
}

// ---- reporting -------------------------------------------------------------------------------

export interface CostLine {
  costUsd: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface AiCostReport {
  from: string;
  to: string;
  days: number;
  total: CostLine;
  byDay: Array<{ day: string } & CostLine>;
  /** skillSlug, or `purpose:<purpose>` for calls made outside a skill. */
  bySkill: Array<{ skill: string } & CostLine>;
  byModel: Array<{ model: string } & CostLine>;
  /** Platform view only. */
  byClient?: Array<{ clientId: string; clientName: string | null } & CostLine>;
}

interface Row {
  k: string;
  cost: number;
  calls: number;
  input: number;
  output: number;
}

const line = (r: Row | undefined): CostLine => ({
  costUsd: r ? Math.round(Number(r.cost) * 1e6) / 1e6 : 0,
  calls: r ? Number(r.calls) : 0,
  inputTokens: r ? Number(r.input) : 0,
  outputTokens: r ? Number(r.output) : 0,
});

/** Spend over the last `days` UTC days (today included), for one client or the whole platform. */
export async function aiCostReport(db: Db, opts: { days: number; clientId?: string; now?: Date }): Promise<AiCostReport> {
  const now = opts.now ?? new Date();
  const { end } = utcDay(now);
  const start = new Date(end.getTime() - opts.days * DAY_MS);
  const scope = opts.clientId ? Prisma.sql`AND "clientId" = ${opts.clientId}` : Prisma.empty;
  const agg = (key: Prisma.Sql) => db.$queryRaw<Row[]>`
    SELECT ${key} AS k, SUM("costUsd")::float8 AS cost, COUNT(*)::int AS calls,
           SUM("inputTokens")::float8 AS input, SUM("outputTokens")::float8 AS output
    FROM ai_usage WHERE "createdAt" >= ${start} AND "createdAt" < ${end} ${scope}
    GROUP BY 1 ORDER BY 2 DESC`;
  const [days, skills, models, clients] = await Promise.all([
    agg(Prisma.sql`to_char("createdAt", 'YYYY-MM-DD')`),
    agg(Prisma.sql`COALESCE("skillSlug", 'purpose:' || "purpose")`),
    agg(Prisma.sql`"model"`),
    opts.clientId ? Promise.resolve([] as Row[]) : agg(Prisma.sql`"clientId"`),
  ]);
  const dayMap = new Map(days.map((r) => [r.k, r]));
  const byDay = [];
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    byDay.push({ day, ...line(dayMap.get(day)) });
  }
  const total = byDay.reduce<CostLine>(
    (a, d) => ({
      costUsd: Math.round((a.costUsd + d.costUsd) * 1e6) / 1e6,
      calls: a.calls + d.calls,
      inputTokens: a.inputTokens + d.inputTokens,
      outputTokens: a.outputTokens + d.outputTokens,
    }),
    { costUsd: 0, calls: 0, inputTokens: 0, outputTokens: 0 },
  );
  const report: AiCostReport = {
    from: start.toISOString(),
    to: end.toISOString(),
    days: opts.days,
    total,
    byDay,
    bySkill: skills.map((r) => ({ skill: r.k, ...line(r) })),
    byModel: models.map((r) => ({ model: r.k, ...line(r) })),
  };
  if (!opts.clientId) {
    const names = await db.client.findMany({ where: { id: { in: clients.map((r) => r.k) } }, select: { id: true, name: true } });
    const nameOf = new Map(names.map((c) => [c.id, c.name]));
    report.byClient = clients.map((r) => ({ clientId: r.k, clientName: nameOf.get(r.k) ?? null, ...line(r) }));
  }
  return report;
}

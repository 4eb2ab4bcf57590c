// Credits and plans (src/engines/credits.ts, src/engines/plans.ts):
//   GET  /api/v1/clients/{clientId}/credits                    balance, plan, current grant   (viewer)
//   GET  /api/v1/clients/{clientId}/credits/transactions       the ledger, newest first       (viewer)
//   POST /api/v1/admin/clients/{clientId}/credits/top-ups      add credits (idempotent by key) (platform admin)
//   PUT  /api/v1/admin/clients/{clientId}/plan                 change the plan                 (platform admin)
// A top-up or a plan change wakes the client's sequences waiting on "no_credits".
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { addCredits, topUpKeyOf } from '../../engines/credits';
import { aiDailyBudgetOf, PLAN_NAMES, PLANS, type PlanName } from '../../engines/plans';
import { wakeCreditWaiters } from '../../lifecycle/credits';
import { CHANNELS } from '../../shared/domain/channels';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { created, dateTime, id, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

const clientParams = z.object({ clientId: uuid });
const KINDS = ['grant', 'top_up', 'adjustment', 'spend', 'refund', 'expiry'] as const;
export const transactionListQuery = pageQuery.extend({ kind: z.enum(KINDS).optional() }).strict();
export const topUpBody = z
  .object({
    amount: z.number().int().min(1).max(10_000_000),
    note: z.string().trim().min(1).max(500).optional(),
    /** Repeating a request with the same key adds nothing (answered 200 with the first entry). */
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const planBody = z.object({ plan: z.enum(PLAN_NAMES) }).strict();

const channelPrices = z.object(Object.fromEntries(CHANNELS.map((c) => [c, z.number().int()])) as Record<(typeof CHANNELS)[number], z.ZodNumber>);
export const PlanSchema = z
  .object({
    name: z.enum(PLAN_NAMES),
    prices: channelPrices,
    monthlyCredits: z.number().int(),
    channels: z.array(z.enum(CHANNELS)),
    maxActiveCampaigns: z.number().int(),
    aiDailyBudgetUsd: z.number(),
  })
  .meta({ id: 'Plan' });
export const CreditBalanceSchema = z
  .object({
    clientId: id,
    balance: z.number().int(),
    plan: PlanSchema,
    activeCampaigns: z.number().int(),
    aiDailyBudgetUsd: z.number(),
    aiDailyBudgetSource: z.enum(['plan', 'override']),
    /** This month's grant while it is valid (what is left of it expires at expiresAt). */
    currentGrant: z.object({ id, amount: z.number().int(), grantedAt: dateTime, expiresAt: nullableDateTime }).nullable(),
  })
  .meta({ id: 'CreditBalance' });
export const CreditTransactionSchema = z
  .object({
    id,
    clientId: id,
    kind: z.enum(KINDS),
    amount: z.number().int(),
    balanceAfter: z.number().int(),
    sendKey: z.string().nullable(),
    channel: z.enum(CHANNELS).nullable(),
    expiresAt: nullableDateTime,
    grantId: id.nullable(),
    note: z.string().nullable(),
    actorUserId: id.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'CreditTransaction' });

type TransactionRow = Awaited<ReturnType<Db['creditTransaction']['findFirstOrThrow']>>;
const transactionView = (t: TransactionRow) => ({
  id: t.id,
  clientId: t.clientId,
  kind: t.kind,
  amount: t.amount,
  balanceAfter: t.balanceAfter,
  sendKey: t.sendKey,
  channel: t.channel,
  expiresAt: t.expiresAt,
  grantId: t.grantId,
  note: t.note,
  actorUserId: t.actorUserId,
  createdAt: t.createdAt,
});

const planView = (name: PlanName) => ({ name, ...PLANS[name], channels: [...PLANS[name].channels] });

/** The client's balance and plan as the API shows them; null when it is gone. */
async function creditsView(db: Db, clientId: string, now = new Date()) {
  const c = await db.client.findFirst({
    where: { id: clientId, deletedAt: null },
    select: { id: true, tier: true, creditsRemaining: true, aiDailyBudgetUsd: true },
  });
  if (!c) return null;
  const [activeCampaigns, grant] = await Promise.all([
    db.campaign.count({ where: { clientId, status: 'active', deletedAt: null } }),
    db.creditTransaction.findFirst({
      where: { clientId, kind: 'grant', OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    }),
  ]);
  const budget = aiDailyBudgetOf(c);
  return {
    clientId,
    balance: c.creditsRemaining,
    plan: planView(c.tier),
    activeCampaigns,
    aiDailyBudgetUsd: budget.usd,
    aiDailyBudgetSource: budget.source,
    currentGrant: grant ? { id: grant.id, amount: grant.amount, grantedAt: grant.createdAt, expiresAt: grant.expiresAt } : null,
  };
}

/** Wakes waiting sequences after the answer is sent; a failure only delays them to their re-check. */
function wakeLater(deps: ApiDeps, clientId: string, log: { warn: (o: object, m: string) => void } | undefined): void {
  void wakeCreditWaiters(deps.temporal, deps.db, clientId).catch((err: unknown) => log?.warn({ err }, 'could not wake sequences waiting on credits'));
}

const CREDITS = '/api/v1/clients/{clientId}/credits';
const ADMIN = '/api/v1/admin/clients';
const admin = { kind: 'platform-admin' } as const;

export const clientCreditRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: CREDITS,
    summary: 'The credit balance, the plan (prices per channel, monthly grant, channels, campaigns, AI budget) and the current grant',
    tag: 'credits',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(z.object({ credits: CreditBalanceSchema })) },
    handler: async ({ params: { clientId }, res, deps }) => {
      const credits = await creditsView(deps.db, clientId);
      if (!credits) throw notFound('client');
      res.json({ credits });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CREDITS}/transactions`,
    summary: 'The credit ledger, newest first: grants, top-ups, adjustments, spends (one per sent touch), refunds, expiries',
    tag: 'credits',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: transactionListQuery,
    responses: { 200: ok(pageOf(CreditTransactionSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const where: Prisma.CreditTransactionWhereInput = { clientId, ...(q.kind ? { kind: q.kind } : {}), ...cursorWhere(decodeCursor(q.cursor)) };
      const rows = await db.creditTransaction.findMany({ where, orderBy: newestFirst, take: q.limit + 1 });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(transactionView), nextCursor: p.nextCursor });
    },
  }),
];

export const adminCreditRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: `${ADMIN}/{clientId}/credits/top-ups`,
    summary: 'Add credits to a client (never expire; idempotent with idempotencyKey); waiting sends resume',
    tag: 'credits',
    access: admin,
    params: clientParams,
    body: topUpBody,
    responses: {
      201: created(z.object({ transaction: CreditTransactionSchema, balance: z.number().int(), created: z.literal(true) })),
      200: ok(
        z.object({ transaction: CreditTransactionSchema, balance: z.number().int(), created: z.literal(false) }),
        'Already added with this idempotency key',
      ),
    },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const { db } = deps;
      const input = body();
      const key = topUpKeyOf(clientId, input.idempotencyKey ?? randomUUID());
      const r = await addCredits(db, { clientId, kind: 'top_up', amount: input.amount, key, note: input.note ?? null, actorUserId: req.caller!.userId });
      if (!r) throw notFound('client');
      if (r.created) {
        await recordAudit(db, {
          clientId,
          ...actorOf(req),
          action: 'credits.top_up',
          entityType: 'credit_transaction',
          entityId: r.entry.id,
          after: { amount: input.amount, balance: r.balance },
        });
      }
      const balance = (await db.client.findUniqueOrThrow({ where: { id: clientId }, select: { creditsRemaining: true } })).creditsRemaining;
      res.status(r.created ? 201 : 200).json({ transaction: transactionView(r.entry as TransactionRow), balance, created: r.created });
      if (r.created) wakeLater(deps, clientId, req.log);
    },
  }),
  defineRoute({
    method: 'put',
    path: `${ADMIN}/{clientId}/plan`,
    summary: "Change a client's plan: prices and channels apply to the next touch, the grant from next month; active campaigns are not stopped",
    tag: 'credits',
    access: admin,
    params: clientParams,
    body: planBody,
    responses: { 200: ok(z.object({ credits: CreditBalanceSchema, changed: z.boolean() })) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const { db } = deps;
      const { plan } = body();
      const before = await db.client.findFirst({ where: { id: clientId, deletedAt: null }, select: { tier: true } });
      if (!before) throw notFound('client');
      const changed = before.tier !== plan;
      if (changed) {
        await db.client.update({ where: { id: clientId }, data: { tier: plan } });
        await recordAudit(db, {
          clientId,
          ...actorOf(req),
          action: 'client.plan_change',
          entityType: 'client',
          entityId: clientId,
          before: { plan: before.tier },
          after: { plan },
        });
      }
      const credits = (await creditsView(db, clientId))!;
      res.json({ credits, changed });
      // A cheaper channel or one the plan now includes: waiting touches check again.
      if (changed) wakeLater(deps, clientId, req.log);
    },
  }),
];

export const clientCreditsRouter = (deps: ApiDeps) => routerFor(deps, CREDITS, clientCreditRoutes);
export const adminCreditsRouter = (deps: ApiDeps) => routerFor(deps, ADMIN, adminCreditRoutes);

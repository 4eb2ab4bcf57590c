// The credit ledger (credit_transactions): every change to a client's credits is an entry, and the
// cached balance (clients."creditsRemaining") changes in the same statement as its entry, so the
// balance is always the sum of the ledger. Each entry has a unique key, so writing it again (a
// retried activity, a repeated request) changes nothing.
//
// Kinds: grant (monthly, per plan, expiring), top_up (platform admin, never expires), adjustment
// (platform admin, either sign), spend (one sent touch, keyed by its send key, written when the send
// takes its slot: send-ledger.ts), refund (a spent send the provider refused), expiry (what is left
// of a grant when it expires).
//
// Expiry rule (kept simple on purpose): a monthly grant is valid until the next month begins, and
// touches spend the current grant before anything else (top-ups and adjustments are used only once
// it is gone). So what is left of a grant when it expires is its amount minus the spends (net of
// refunds) made while it was valid, never more than the balance and never below zero; the expiry
// entry removes exactly that.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { localDate, instantAt } from './calendar/business-time';
import { PLANS } from './plans';

export type CreditKind = 'grant' | 'top_up' | 'adjustment' | 'spend' | 'refund' | 'expiry';

export const spendKeyOf = (sendKey: string) => `spend:${sendKey}`;
export const refundKeyOf = (sendKey: string) => `refund:${sendKey}`;
export const topUpKeyOf = (clientId: string, key: string) => `top_up:${clientId}:${key}`;
export const grantKeyOf = (clientId: string, month: string) => `grant:${clientId}:${month}`;
export const expiryKeyOf = (grantId: string) => `expiry:${grantId}`;

/** The balance would go below zero (a negative adjustment larger than the balance). */
export class InsufficientCreditsError extends Error {
  constructor(
    readonly balance: number,
    readonly amount: number,
  ) {
    super(`the balance is ${balance} credits; removing ${-amount} would make it negative`);
    this.name = 'InsufficientCreditsError';
  }
}

/** The key was used before for a different entry (another amount or kind). */
export class CreditKeyReusedError extends Error {
  constructor(readonly key: string) {
    super('this idempotency key was already used for a different credit entry');
    this.name = 'CreditKeyReusedError';
  }
}

export interface CreditEntry {
  clientId: string;
  kind: Extract<CreditKind, 'grant' | 'top_up' | 'adjustment'>;
  amount: number;
  key: string;
  note?: string | null;
  actorUserId?: string | null;
  expiresAt?: Date | null;
}

export interface CreditTransactionRow {
  id: string;
  clientId: string;
  kind: CreditKind;
  amount: number;
  balanceAfter: number;
  key: string;
  sendKey: string | null;
  channel: string | null;
  expiresAt: Date | null;
  grantId: string | null;
  note: string | null;
  actorUserId: string | null;
  createdAt: Date;
}

/**
 * Writes one grant, top-up or adjustment and moves the balance with it, in one statement under the
 * client row's lock. `created` is false when the key existed already (nothing changed); the stored
 * entry is returned either way. Null when the client does not exist or is deleted.
 */
export async function addCredits(
  db: Pick<Db, '$queryRaw' | 'creditTransaction'>,
  e: CreditEntry,
  now = new Date(),
): Promise<{ created: boolean; entry: CreditTransactionRow; balance: number } | null> {
  const at = now.toISOString();
  const rows = await db.$queryRaw<{ found: boolean; before: number | null; created: number; after: number | null }[]>`
    WITH c AS (
      SELECT id, "creditsRemaining" AS credits FROM clients WHERE id = ${e.clientId} AND "deletedAt" IS NULL FOR UPDATE
    ), ins AS (
      INSERT INTO credit_transactions (id, "clientId", kind, amount, "balanceAfter", key, note, "actorUserId", "expiresAt", "createdAt")
      SELECT ${randomUUID()}, c.id, ${e.kind}::"CreditTransactionKind", ${e.amount}::int, c.credits + ${e.amount}::int, ${e.key}, ${e.note ?? null}::text,
        ${e.actorUserId ?? null}::text, ${e.expiresAt?.toISOString() ?? null}::timestamp, ${at}::timestamp
      FROM c WHERE c.credits + ${e.amount}::int >= 0
      ON CONFLICT (key) DO NOTHING
      RETURNING "clientId", amount
    ), upd AS (
      UPDATE clients SET "creditsRemaining" = clients."creditsRemaining" + ins.amount, "updatedAt" = ${at}::timestamp
      FROM ins WHERE clients.id = ins."clientId"
      RETURNING clients."creditsRemaining"
    )
    SELECT EXISTS (SELECT 1 FROM c) AS found, (SELECT credits FROM c) AS before, (SELECT count(*) FROM ins)::int AS created, (SELECT "creditsRemaining" FROM upd) AS after`;
  const r = rows[0];
  if (!r.found) return null;
  const entry = (await db.creditTransaction.findUnique({ where: { key: e.key } })) as CreditTransactionRow | null;
  if (!entry) throw new InsufficientCreditsError(r.before ?? 0, e.amount);
  if (r.created === 0 && (entry.clientId !== e.clientId || entry.kind !== e.kind || entry.amount !== e.amount)) throw new CreditKeyReusedError(e.key);
  return { created: r.created > 0, entry, balance: r.after ?? r.before ?? 0 };
}

/**
 * Sets the balance to `target` with one adjustment of the difference (the PATCH of creditsRemaining
 * on a client, kept for compatibility). Null when the client is gone; no entry when it is equal.
 */
export async function adjustBalanceTo(
  db: Pick<Db, '$queryRaw' | 'creditTransaction' | 'client'>,
  a: { clientId: string; target: number; actorUserId?: string | null; note?: string },
): Promise<{ balance: number } | null> {
  // A spend between the read and the write makes the difference stale: the write is guarded by the
  // balance it expects, so a stale one writes nothing and is redone with a fresh read.
  for (let i = 0; i < 5; i++) {
    const c = await db.client.findFirst({ where: { id: a.clientId, deletedAt: null }, select: { creditsRemaining: true } });
    if (!c) return null;
    const amount = a.target - c.creditsRemaining;
    if (amount === 0) return { balance: c.creditsRemaining };
    const rows = await db.$queryRaw<{ created: number }[]>`
      WITH c AS (SELECT id, "creditsRemaining" AS credits FROM clients WHERE id = ${a.clientId} FOR UPDATE),
      ins AS (
        INSERT INTO credit_transactions (id, "clientId", kind, amount, "balanceAfter", key, note, "actorUserId")
        SELECT ${randomUUID()}, c.id, 'adjustment', ${amount}::int, ${a.target}::int, ${`adjustment:${randomUUID()}`}, ${a.note ?? 'balance set by a platform admin'}, ${a.actorUserId ?? null}::text
        FROM c WHERE c.credits = ${c.creditsRemaining}::int
        RETURNING "clientId", amount
      ), upd AS (
        UPDATE clients SET "creditsRemaining" = clients."creditsRemaining" + ins.amount, "updatedAt" = now() FROM ins WHERE clients.id = ins."clientId" RETURNING 1
      )
      SELECT (SELECT count(*) FROM ins)::int AS created`;
    if (rows[0].created > 0) return { balance: a.target };
  }
  throw new Error('the balance kept changing while it was being set; try again');
}

/** The calendar month (YYYY-MM) of `at` in `timeZone`, and the instant the next one begins there. */
export function grantMonth(at: Date, timeZone: string): { month: string; expiresAt: Date } {
  const month = localDate(at, timeZone).slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { month, expiresAt: instantAt(next, 0, 0, timeZone) };
}

/**
 * Removes what is left of one expired grant (see the rule at the top); idempotent per grant (the
 * expiry entry, possibly of 0 credits, closes it). Returns the credits removed, null when it was
 * closed before.
 */
export async function expireGrant(
  db: Pick<Db, '$queryRaw'>,
  grant: { id: string; clientId: string; amount: number; createdAt: Date; expiresAt: Date },
  now = new Date(),
): Promise<number | null> {
  const rows = await db.$queryRaw<{ removed: number | null }[]>`
    WITH c AS (SELECT id, "creditsRemaining" AS credits FROM clients WHERE id = ${grant.clientId} FOR UPDATE),
    used AS (
      SELECT coalesce(sum(amount), 0)::int AS net FROM credit_transactions
      WHERE "clientId" = ${grant.clientId} AND kind IN ('spend', 'refund')
        AND "createdAt" >= ${grant.createdAt.toISOString()}::timestamp AND "createdAt" < ${grant.expiresAt.toISOString()}::timestamp
    ), lft AS (
      SELECT GREATEST(0, LEAST(${grant.amount}::int, ${grant.amount}::int + used.net, c.credits)) AS n, c.credits FROM c, used
    ), ins AS (
      INSERT INTO credit_transactions (id, "clientId", kind, amount, "balanceAfter", key, "grantId", note, "createdAt")
      SELECT ${randomUUID()}, ${grant.clientId}, 'expiry', -lft.n, lft.credits - lft.n, ${expiryKeyOf(grant.id)}, ${grant.id}, 'what was left of the grant when it expired', ${now.toISOString()}::timestamp
      FROM lft
      ON CONFLICT (key) DO NOTHING
      RETURNING "clientId", amount
    ), upd AS (
      UPDATE clients SET "creditsRemaining" = clients."creditsRemaining" + ins.amount, "updatedAt" = ${now.toISOString()}::timestamp
      FROM ins WHERE clients.id = ins."clientId" AND ins.amount <> 0
      RETURNING 1
    )
    SELECT (SELECT -amount FROM ins) AS removed`;
  return rows[0].removed;
}

export interface GrantRunResult {
  month: string;
  granted: number;
  alreadyGranted: number;
  expired: number;
  creditsExpired: number;
}

/**
 * The monthly run (schedule:credit-grants): first expires every grant whose time has come, then
 * grants each live client with an active or trialing subscription its plan's monthly credits for
 * the month of `at` (in `timeZone`), once per client and month (key grant:<clientId>:<YYYY-MM>).
 * `progress` is called between clients (the activity heartbeats there).
 */
export async function runMonthlyGrants(
  db: Db,
  a: {
    at: Date;
    timeZone: string;
    progress?: (r: GrantRunResult) => void;
    /** After each client's grant (also one made by an earlier attempt when `again`): wakes its sequences waiting on credits. */
    granted?: (clientId: string) => Promise<unknown>;
    /** A repeated run (a retried attempt): grants an earlier attempt made may not have been announced. */
    again?: boolean;
  },
): Promise<GrantRunResult> {
  const { month, expiresAt } = grantMonth(a.at, a.timeZone);
  const result: GrantRunResult = { month, granted: 0, alreadyGranted: 0, expired: 0, creditsExpired: 0 };
  const now = new Date();

  // Expire first, so a grant's leftover never overlaps the next month's grant.
  for (;;) {
    const due = await db.$queryRaw<{ id: string; clientId: string; amount: number; createdAt: Date; expiresAt: Date }[]>`
      SELECT g.id, g."clientId", g.amount, g."createdAt", g."expiresAt" FROM credit_transactions g
      WHERE g.kind = 'grant' AND g."expiresAt" <= ${a.at.toISOString()}::timestamp
        AND NOT EXISTS (SELECT 1 FROM credit_transactions e WHERE e.key = 'expiry:' || g.id)
      ORDER BY g."expiresAt", g.id LIMIT 200`;
    if (due.length === 0) break;
    for (const g of due) {
      const removed = await expireGrant(db, g, now);
      if (removed !== null) {
        result.expired++;
        result.creditsExpired += removed;
      }
      a.progress?.(result);
    }
  }

  let after = '';
  for (;;) {
    const clients = await db.client.findMany({
      where: { deletedAt: null, subscriptionStatus: { in: ['active', 'trialing'] }, id: { gt: after } },
      select: { id: true, tier: true },
      orderBy: { id: 'asc' },
      take: 200,
    });
    if (clients.length === 0) break;
    for (const c of clients) {
      const r = await addCredits(
        db,
        { clientId: c.id, kind: 'grant', amount: PLANS[c.tier].monthlyCredits, key: grantKeyOf(c.id, month), note: `${c.tier} plan, ${month}`, expiresAt },
        now,
      );
      if (r?.created) result.granted++;
      else if (r) result.alreadyGranted++;
      if (r && (r.created || a.again)) await a.granted?.(c.id);
      a.progress?.(result);
    }
    after = clients[clients.length - 1].id;
  }
  return result;
}

// The send ledger makes sends effectively-once: a row keyed by `<workflowId>:touch:<n>` is written
// (reserved) before the provider call, moved to `sending` just before it and to `sent` after it. A
// retried activity that finds `sending` asks the provider instead of sending again.
import { randomUUID } from 'node:crypto';
import type { Channel, Db, SendLedger } from '../db/client';
import { refundKeyOf, spendKeyOf } from './credits';

export interface LedgerKey {
  idempotencyKey: string;
  clientId: string;
  campaignId: string;
  leadId: string;
  channel: Channel;
  touchNumber: number;
}

/** Creates the reserved row, or returns the existing one with its attempt counted. */
export async function reserveSend(db: Pick<Db, 'sendLedger'>, k: LedgerKey): Promise<SendLedger> {
  return db.sendLedger.upsert({
    where: { idempotencyKey: k.idempotencyKey },
    create: { ...k, state: 'reserved' },
    update: { attempts: { increment: 1 } },
  });
}

export async function markSending(db: Pick<Db, 'sendLedger'>, key: string, resourceId: string | null): Promise<void> {
  await db.sendLedger.update({ where: { idempotencyKey: key }, data: { state: 'sending', resourceId } });
}

export async function markFailed(db: Pick<Db, 'sendLedger'>, key: string, error: string): Promise<void> {
  await db.sendLedger.update({ where: { idempotencyKey: key }, data: { state: 'failed', error: error.slice(0, 500) } });
}

export async function markSkipped(db: Pick<Db, 'sendLedger'>, key: string, reason: string): Promise<void> {
  await db.sendLedger.update({ where: { idempotencyKey: key }, data: { state: 'skipped', error: reason } });
}

export function sendKey(workflowId: string, touchNumber: number): string {
  return `${workflowId}:touch:${touchNumber}`;
}

/** The ledger columns the send path reads back from a raw statement. */
export type LedgerRow = Pick<SendLedger, 'id' | 'state' | 'resourceId' | 'providerMessageId' | 'threadId' | 'error' | 'attempts' | 'reservedAt'>;

/**
 * Reserves the send (creates its row, or counts another attempt on it) and, when the row has no slot
 * yet, takes one of `slot.resourceId` for `slot.day`, spends the touch's credits and moves the row
 * to `sending`. With `replacing`, the row holds a slot of a resource that is gone: it takes one from
 * `slot` instead (its credits were spent when it first took a slot).
 *
 * One touch, one slot: the first statement takes the row's lock (an insert, or ON CONFLICT DO
 * UPDATE, locks it until commit), so a second attempt of the same send running at the same time
 * waits, then finds the slot taken and the row `sending` (`took` false: it does not own the send).
 * The second statement takes the slot, guarded like takeDailySlot (`count < limit`), and records it
 * on the row; it sees the row as committed (READ COMMITTED, fresh snapshot under the lock).
 *
 * Credits: the same statement locks the client row (FOR UPDATE returns its newest balance), takes
 * the slot only when the balance covers `price` (or this send has spent already), and writes the
 * spend entry (key spend:<send key>, unique, so never twice) with the balance change. Sends of one
 * client therefore queue on that lock for one short statement and the balance never goes below
 * zero; an unfunded send takes nothing (`funded` false) and waits, its row still `reserved`.
 */
export async function claimSendSlot(
  db: Pick<Db, '$transaction' | '$executeRaw' | '$queryRaw'>,
  k: LedgerKey,
  slot: { resourceId: string; day: string; limit: number } | null,
  opts: { countAttempt: boolean; now: Date; replacing?: string | null; price: number },
): Promise<{ ledger: LedgerRow; took: boolean; funded: boolean }> {
  // `::timestamp` drops the Z: the column holds UTC wall time, as Prisma writes it.
  const now = opts.now.toISOString();
  const replacing = opts.replacing !== undefined;
  const spendKey = spendKeyOf(k.idempotencyKey);
  const [, rows] = await db.$transaction([
    db.$executeRaw`
      INSERT INTO send_ledger AS s (id, "clientId", "campaignId", "leadId", "idempotencyKey", channel, "touchNumber", state, attempts, "reservedAt", "updatedAt")
      VALUES (${randomUUID()}, ${k.clientId}, ${k.campaignId}, ${k.leadId}, ${k.idempotencyKey}, ${k.channel}::"Channel", ${k.touchNumber}::int, 'reserved', 1, ${now}::timestamp, ${now}::timestamp)
      ON CONFLICT ("idempotencyKey") DO UPDATE SET attempts = s.attempts + ${opts.countAttempt ? 1 : 0}::int, "updatedAt" = ${now}::timestamp`,
    db.$queryRaw<(LedgerRow & { took: boolean; funded: boolean })[]>`
      WITH claimable AS (
        SELECT id FROM send_ledger
        WHERE "idempotencyKey" = ${k.idempotencyKey}
          AND (CASE WHEN ${replacing}::boolean
                 THEN state IN ('reserved', 'sending') AND "resourceId" IS NOT DISTINCT FROM ${opts.replacing ?? null}::text
                 ELSE state = 'reserved' AND "resourceId" IS NULL END)
      ), bal AS (
        SELECT "creditsRemaining" AS credits FROM clients WHERE id = ${k.clientId} AND EXISTS (SELECT 1 FROM claimable) FOR UPDATE
      ), funded AS (
        SELECT 1 AS ok WHERE EXISTS (SELECT 1 FROM credit_transactions WHERE key = ${spendKey})
          OR (SELECT credits FROM bal) >= ${opts.price}::int
      ), slot AS (
        INSERT INTO send_resource_counters AS c (id, "clientId", "resourceId", day, count)
        SELECT ${randomUUID()}, ${k.clientId}, ${slot?.resourceId ?? null}::text, ${slot?.day ?? null}::date, 1
        WHERE ${slot?.resourceId ?? null}::text IS NOT NULL AND ${slot?.limit ?? 0}::int > 0 AND EXISTS (SELECT 1 FROM claimable) AND EXISTS (SELECT 1 FROM funded)
        ON CONFLICT ("resourceId", day) DO UPDATE SET count = c.count + 1 WHERE c.count < ${slot?.limit ?? 0}::int
        RETURNING c."resourceId"
      ), spend AS (
        INSERT INTO credit_transactions (id, "clientId", kind, amount, "balanceAfter", key, "sendKey", channel, "createdAt")
        SELECT ${randomUUID()}, ${k.clientId}, 'spend', -${opts.price}::int, bal.credits - ${opts.price}::int, ${spendKey}, ${k.idempotencyKey}, ${k.channel}::"Channel", ${now}::timestamp
        FROM bal WHERE EXISTS (SELECT 1 FROM slot)
        ON CONFLICT (key) DO NOTHING
        RETURNING amount
      ), debit AS (
        UPDATE clients SET "creditsRemaining" = "creditsRemaining" + (SELECT amount FROM spend), "updatedAt" = ${now}::timestamp
        WHERE id = ${k.clientId} AND EXISTS (SELECT 1 FROM spend)
        RETURNING id
      ), led AS (
        UPDATE send_ledger s SET state = 'sending', "resourceId" = (SELECT "resourceId" FROM slot), "updatedAt" = ${now}::timestamp
        WHERE s.id IN (SELECT id FROM claimable) AND EXISTS (SELECT 1 FROM slot)
        RETURNING s.id, s.state::text AS state, s."resourceId", s."providerMessageId", s."threadId", s.error, s.attempts, s."reservedAt"
      )
      SELECT led.*, true AS took, true AS funded FROM led
      UNION ALL
      SELECT s.id, s.state::text AS state, s."resourceId", s."providerMessageId", s."threadId", s.error, s.attempts, s."reservedAt", false AS took,
        EXISTS (SELECT 1 FROM funded) AS funded
      FROM send_ledger s WHERE s."idempotencyKey" = ${k.idempotencyKey} AND NOT EXISTS (SELECT 1 FROM led)`,
  ]);
  const { took, funded, ...ledger } = rows[0];
  return { ledger, took, funded };
}

/**
 * Marks a send failed and, with `refund`, gives back the credits it spent (a refund entry keyed
 * refund:<send key>, with the balance change): one statement, so a crash leaves either both or
 * neither. Only a row still reserved/sending moves, so a retry refunds nothing twice.
 */
export async function failSend(
  db: Pick<Db, '$queryRaw'>,
  key: string,
  error: string,
  opts: { refund: boolean; now?: Date },
): Promise<{ moved: boolean; refunded: number }> {
  const now = (opts.now ?? new Date()).toISOString();
  const rows = await db.$queryRaw<{ moved: number; refunded: number | null }[]>`
    WITH moved AS (
      UPDATE send_ledger SET state = 'failed', error = ${error.slice(0, 500)}, "updatedAt" = ${now}::timestamp
      WHERE "idempotencyKey" = ${key} AND state IN ('reserved', 'sending')
      RETURNING "clientId"
    ), spent AS (
      SELECT "clientId", amount, channel FROM credit_transactions
      WHERE key = ${spendKeyOf(key)} AND ${opts.refund}::boolean AND EXISTS (SELECT 1 FROM moved)
    ), bal AS (
      SELECT id, "creditsRemaining" AS credits FROM clients WHERE id = (SELECT "clientId" FROM spent) FOR UPDATE
    ), refund AS (
      INSERT INTO credit_transactions (id, "clientId", kind, amount, "balanceAfter", key, "sendKey", channel, "createdAt")
      SELECT ${randomUUID()}, bal.id, 'refund', -spent.amount, bal.credits - spent.amount, ${refundKeyOf(key)}, ${key}, spent.channel, ${now}::timestamp
      FROM spent, bal
      ON CONFLICT (key) DO NOTHING
      RETURNING "clientId", amount
    ), credit AS (
      UPDATE clients SET "creditsRemaining" = clients."creditsRemaining" + refund.amount, "updatedAt" = ${now}::timestamp
      FROM refund WHERE clients.id = refund."clientId"
      RETURNING clients.id
    )
    SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT amount FROM refund) AS refunded`;
  return { moved: rows[0].moved > 0, refunded: rows[0].refunded ?? 0 };
}

/**
 * Moves the row from reserved/sending to sent and, only if this call moved it, moves a new lead into
 * its sequence and records the `sent` Activity: one statement, so all or nothing (a retry that finds
 * the row sent changes nothing). False when another attempt had finished it. The send's credits were
 * spent when it took its slot (claimSendSlot), before the provider call, so a balance can never be
 * overdrawn by sends that were already out of the door.
 */
export async function finalizeSent(
  db: Pick<Db, '$queryRaw'>,
  s: {
    idempotencyKey: string;
    clientId: string;
    campaignId: string;
    leadId: string;
    channel: Channel;
    touchNumber: number;
    providerMessageId: string;
    threadId?: string;
    metadata: unknown;
    now: Date;
  },
): Promise<boolean> {
  const now = s.now.toISOString();
  const rows = await db.$queryRaw<{ moved: number }[]>`
    WITH moved AS (
      UPDATE send_ledger SET state = 'sent', "providerMessageId" = ${s.providerMessageId}, "threadId" = ${s.threadId ?? null}::text, "sentAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp
      WHERE "idempotencyKey" = ${s.idempotencyKey} AND state IN ('reserved', 'sending')
      RETURNING id
    ), lead AS (
      UPDATE leads SET status = 'in_sequence', "updatedAt" = ${now}::timestamp
      WHERE id = ${s.leadId} AND status IN ('new', 'enriched', 'scored') AND EXISTS (SELECT 1 FROM moved)
      RETURNING id
    ), act AS (
      INSERT INTO activities (id, "clientId", "campaignId", "leadId", channel, action, "touchNumber", "providerMessageId", "threadId", metadata, "createdAt")
      SELECT ${randomUUID()}, ${s.clientId}, ${s.campaignId}, ${s.leadId}, ${s.channel}::"Channel", 'sent', ${s.touchNumber}::int, ${s.providerMessageId}, ${s.threadId ?? null}::text,
        ${JSON.stringify(s.metadata)}::jsonb, ${now}::timestamp
      FROM moved
      RETURNING id
    )
    SELECT (SELECT count(*) FROM moved)::int AS moved`;
  return rows[0].moved > 0;
}

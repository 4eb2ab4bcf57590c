// The send ledger makes sends effectively-once: a row keyed by `<workflowId>:touch:<n>` is written
// (reserved) before the provider call, moved to `sending` just before it and to `sent` after it. A
// retried activity that finds `sending` asks the provider instead of sending again.
import { randomUUID } from 'node:crypto';
import type { Channel, Db, SendLedger } from '../db/client';

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
 * yet, takes one of `slot.resourceId` for `slot.day` and moves the row to `sending`. With
 * `replacing`, the row holds a slot of a resource that is gone: it takes one from `slot` instead.
 *
 * One touch, one slot: the first statement takes the row's lock (an insert, or ON CONFLICT DO
 * UPDATE, locks it until commit), so a second attempt of the same send running at the same time
 * waits, then finds the slot taken and the row `sending` (`took` false: it does not own the send).
 * The second statement takes the slot, guarded like takeDailySlot (`count < limit`), and records it
 * on the row; it sees the row as committed (READ COMMITTED, fresh snapshot under the lock).
 */
export async function claimSendSlot(
  db: Pick<Db, '$transaction' | '$executeRaw' | '$queryRaw'>,
  k: LedgerKey,
  slot: { resourceId: string; day: string; limit: number } | null,
  opts: { countAttempt: boolean; now: Date; replacing?: string | null },
): Promise<{ ledger: LedgerRow; took: boolean }> {
  // `::timestamp` drops the Z: the column holds UTC wall time, as Prisma writes it.
  const now = opts.now.toISOString();
  const replacing = opts.replacing !== undefined;
  const [, rows] = await db.$transaction([
    db.$executeRaw`
      INSERT INTO send_ledger AS s (id, "clientId", "campaignId", "leadId", "idempotencyKey", channel, "touchNumber", state, attempts, "reservedAt", "updatedAt")
      VALUES (${randomUUID()}, ${k.clientId}, ${k.campaignId}, ${k.leadId}, ${k.idempotencyKey}, ${k.channel}::"Channel", ${k.touchNumber}::int, 'reserved', 1, ${now}::timestamp, ${now}::timestamp)
      ON CONFLICT ("idempotencyKey") DO UPDATE SET attempts = s.attempts + ${opts.countAttempt ? 1 : 0}::int, "updatedAt" = ${now}::timestamp`,
    db.$queryRaw<(LedgerRow & { took: boolean })[]>`
      WITH claimable AS (
        SELECT id FROM send_ledger
        WHERE "idempotencyKey" = ${k.idempotencyKey}
          AND (CASE WHEN ${replacing}::boolean
                 THEN state IN ('reserved', 'sending') AND "resourceId" IS NOT DISTINCT FROM ${opts.replacing ?? null}::text
                 ELSE state = 'reserved' AND "resourceId" IS NULL END)
      ), slot AS (
        INSERT INTO send_resource_counters AS c (id, "clientId", "resourceId", day, count)
        SELECT ${randomUUID()}, ${k.clientId}, ${slot?.resourceId ?? null}::text, ${slot?.day ?? null}::date, 1
        WHERE ${slot?.resourceId ?? null}::text IS NOT NULL AND ${slot?.limit ?? 0}::int > 0 AND EXISTS (SELECT 1 FROM claimable)
        ON CONFLICT ("resourceId", day) DO UPDATE SET count = c.count + 1 WHERE c.count < ${slot?.limit ?? 0}::int
        RETURNING c."resourceId"
      ), led AS (
        UPDATE send_ledger s SET state = 'sending', "resourceId" = (SELECT "resourceId" FROM slot), "updatedAt" = ${now}::timestamp
        WHERE s.id IN (SELECT id FROM claimable) AND EXISTS (SELECT 1 FROM slot)
        RETURNING s.id, s.state::text AS state, s."resourceId", s."providerMessageId", s."threadId", s.error, s.attempts, s."reservedAt"
      )
      SELECT led.*, true AS took FROM led
      UNION ALL
      SELECT s.id, s.state::text AS state, s."resourceId", s."providerMessageId", s."threadId", s.error, s.attempts, s."reservedAt", false AS took
      FROM send_ledger s WHERE s."idempotencyKey" = ${k.idempotencyKey} AND NOT EXISTS (SELECT 1 FROM led)`,
  ]);
  const { took, ...ledger } = rows[0];
  return { ledger, took };
}

/**
 * Moves the row from reserved/sending to sent and, only if this call moved it, spends the client's
 * credit, moves a new lead into its sequence and records the `sent` Activity: one statement, so
 * all or nothing (a retry that finds the row sent changes nothing). False when another attempt had
 * finished it.
 */
export async function finalizeSent(
  db: Pick<Db, '$queryRaw'>,
  s: { idempotencyKey: string; clientId: string; campaignId: string; leadId: string; channel: Channel; touchNumber: number; providerMessageId: string; threadId?: string; metadata: unknown; now: Date },
): Promise<boolean> {
  const now = s.now.toISOString();
  const rows = await db.$queryRaw<{ moved: number }[]>`
    WITH moved AS (
      UPDATE send_ledger SET state = 'sent', "providerMessageId" = ${s.providerMessageId}, "threadId" = ${s.threadId ?? null}::text, "sentAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp
      WHERE "idempotencyKey" = ${s.idempotencyKey} AND state IN ('reserved', 'sending')
      RETURNING id
    ), credit AS (
      UPDATE clients SET "creditsRemaining" = "creditsRemaining" - 1, "updatedAt" = ${now}::timestamp
      WHERE id = ${s.clientId} AND EXISTS (SELECT 1 FROM moved)
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


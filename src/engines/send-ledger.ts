// The send ledger makes sends effectively-once: a row keyed by `<workflowId>:touch:<n>` is written
// (reserved) before the provider call, moved to `sending` just before it and to `sent` after it. A
// retried activity that finds `sending` asks the provider instead of sending again.
import { randomUUID } from 'node:crypto';
import type { Channel, Db, SendLedger } from '../db/client';
import { takeDailySlot } from './rate-limiter';

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
 * reserveSend and, when the row is (still) reserved without a resource, one slot of `slot.resourceId`
 * for `slot.day` with the move to `sending`: one statement, so one transaction (the slot is never
 * taken without the ledger recording it, as takeDailySlot in a transaction with markSending). The
 * counter increment is guarded like takeDailySlot's (`count < limit`, atomic under concurrency).
 * `countAttempt` false when the same attempt tries its next resource.
 */
export async function reserveSendWithSlot(
  db: Pick<Db, '$queryRaw'>,
  k: LedgerKey,
  slot: { resourceId: string; day: string; limit: number } | null,
  opts: { countAttempt: boolean; now: Date },
): Promise<{ ledger: LedgerRow; took: boolean }> {
  const now = opts.now.toISOString();
  // `::timestamp` drops the Z: the column holds UTC wall time, as Prisma writes it.
  const rows = await db.$queryRaw<(LedgerRow & { took: boolean })[]>`
    WITH existing AS (
      SELECT state, "resourceId" FROM send_ledger WHERE "idempotencyKey" = ${k.idempotencyKey}
    ), slot AS (
      INSERT INTO send_resource_counters AS c (id, "clientId", "resourceId", day, count)
      SELECT ${randomUUID()}, ${k.clientId}, ${slot?.resourceId ?? null}::text, ${slot?.day ?? null}::date, 1
      WHERE ${slot?.resourceId ?? null}::text IS NOT NULL AND ${slot?.limit ?? 0}::int > 0
        AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.state <> 'reserved' OR e."resourceId" IS NOT NULL)
      ON CONFLICT ("resourceId", day) DO UPDATE SET count = c.count + 1 WHERE c.count < ${slot?.limit ?? 0}::int
      RETURNING c."resourceId"
    ), led AS (
      INSERT INTO send_ledger AS s (id, "clientId", "campaignId", "leadId", "idempotencyKey", channel, "touchNumber", state, "resourceId", attempts, "reservedAt", "updatedAt")
      VALUES (${randomUUID()}, ${k.clientId}, ${k.campaignId}, ${k.leadId}, ${k.idempotencyKey}, ${k.channel}::"Channel", ${k.touchNumber}::int,
        (CASE WHEN EXISTS (SELECT 1 FROM slot) THEN 'sending' ELSE 'reserved' END)::"SendState", (SELECT "resourceId" FROM slot), 1, ${now}::timestamp, ${now}::timestamp)
      ON CONFLICT ("idempotencyKey") DO UPDATE SET
        attempts = s.attempts + ${opts.countAttempt ? 1 : 0}::int,
        "updatedAt" = ${now}::timestamp,
        state = CASE WHEN EXISTS (SELECT 1 FROM slot) THEN 'sending'::"SendState" ELSE s.state END,
        "resourceId" = COALESCE((SELECT "resourceId" FROM slot), s."resourceId")
      RETURNING s.id, s.state::text AS state, s."resourceId", s."providerMessageId", s."threadId", s.error, s.attempts, s."reservedAt"
    )
    SELECT led.*, EXISTS (SELECT 1 FROM slot) AS took FROM led`;
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

/**
 * Reserves the send and takes a slot for it (see reserveSendWithSlot). With `replacing`, the row
 * holds a slot of a resource that is gone (`replacing`): the slot is taken again from `slot`.
 */
export async function claimSendSlot(
  db: Db,
  k: LedgerKey,
  slot: { resourceId: string; day: string; limit: number } | null,
  opts: { countAttempt: boolean; now: Date; replacing?: string | null },
): Promise<{ ledger: LedgerRow; took: boolean }> {
  if (opts.replacing === undefined) return reserveSendWithSlot(db, k, slot, opts);
  return db.$transaction(async (tx) => {
    const took = slot ? await takeDailySlot(tx, { resourceId: slot.resourceId, clientId: k.clientId, day: slot.day, limit: slot.limit }) : false;
    const row = took
      ? await tx.sendLedger.update({ where: { idempotencyKey: k.idempotencyKey }, data: { resourceId: slot!.resourceId, state: 'sending' } })
      : await tx.sendLedger.findUniqueOrThrow({ where: { idempotencyKey: k.idempotencyKey } });
    return { ledger: row, took };
  });
}

// The send ledger makes sends effectively-once: a row keyed by `<workflowId>:touch:<n>` is written
// (reserved) before the provider call, moved to `sending` just before it and to `sent` after it. A
// retried activity that finds `sending` asks the provider instead of sending again.
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

// Resource-level daily caps (email 50/domain, SMS 100/number, LinkedIn 17/seat, voice 50/number),
// counted atomically in Postgres: one guarded UPDATE per reservation, so concurrent workers can
// never push a counter past its limit.
import type { Db } from '../db/client';

/**
 * Takes one slot of `resourceId` for the local `day` (YYYY-MM-DD). False when the day is full.
 * Run inside the same transaction that records the slot on the ledger row, so a retried activity
 * never takes two slots for one send.
 */
export async function takeDailySlot(db: Pick<Db, '$executeRaw'>, r: { resourceId: string; clientId: string; day: string; limit: number }): Promise<boolean> {
  await db.$executeRaw`
    INSERT INTO send_resource_counters (id, "clientId", "resourceId", day, count)
    VALUES (gen_random_uuid()::text, ${r.clientId}, ${r.resourceId}, ${r.day}::date, 0)
    ON CONFLICT ("resourceId", day) DO NOTHING`;
  const updated = await db.$executeRaw`
    UPDATE send_resource_counters SET count = count + 1
    WHERE "resourceId" = ${r.resourceId} AND day = ${r.day}::date AND count < ${r.limit}`;
  return updated === 1;
}

/** Gives a slot back (the send was refused by the provider before anything went out). */
export async function releaseDailySlot(db: Pick<Db, '$executeRaw'>, r: { resourceId: string; day: string }): Promise<void> {
  await db.$executeRaw`
    UPDATE send_resource_counters SET count = count - 1
    WHERE "resourceId" = ${r.resourceId} AND day = ${r.day}::date AND count > 0`;
}

export async function usedToday(db: Pick<Db, 'sendResourceCounter'>, resourceIds: string[], day: string): Promise<Map<string, number>> {
  const rows = await db.sendResourceCounter.findMany({ where: { resourceId: { in: resourceIds }, day: new Date(`${day}T00:00:00Z`) } });
  return new Map(rows.map((r) => [r.resourceId, r.count]));
}

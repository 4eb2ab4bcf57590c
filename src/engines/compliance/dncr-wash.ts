// Do Not Call Register washes for Australian numbers before calls (and SMS, as the seed does).
// A wash is kept for 30 days, then redone.
import type { Db } from '../../db/client';
import type { DncrDriver } from '../../integrations/dncr/dncr';
import { normalizePhone, phoneCountry } from './phone';

export const WASH_MAX_AGE_DAYS = 30;

export function isAustralianNumber(phone: string): boolean {
  return phoneCountry(phone) === 'AU' || normalizePhone(phone).startsWith('+61');
}

export interface WashResult {
  registered: boolean;
  washedAt: Date;
  fresh: boolean;
}

/** A wash row the caller already read: null when there is none, undefined when not read. */
export type KnownWash = { registered: boolean; washedAt: Date } | null | undefined;

export async function washNumber(db: Pick<Db, 'dncrWash'>, driver: DncrDriver, phone: string, now: Date, known?: KnownWash): Promise<WashResult> {
  const number = normalizePhone(phone);
  const existing = known !== undefined ? known : await db.dncrWash.findUnique({ where: { phone: number } });
  if (existing && now.getTime() - existing.washedAt.getTime() < WASH_MAX_AGE_DAYS * 86_400_000) {
    return { registered: existing.registered, washedAt: existing.washedAt, fresh: false };
  }
  const registered = await driver.isRegistered(number);
  const row = await db.dncrWash.upsert({
    where: { phone: number },
    create: { phone: number, registered, washedAt: now },
    update: { registered, washedAt: now },
  });
  return { registered: row.registered, washedAt: row.washedAt, fresh: true };
}

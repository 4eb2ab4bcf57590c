// Where the reply-recovery sweep left off with each provider's inbound message list
// (`provider_cursors`). A cursor only moves forward, so two overlapping sweeps cannot rewind it.
import type { Db } from '../../db/client';

export async function readCursor(db: Pick<Db, 'providerCursor'>, name: string): Promise<Date | null> {
  const row = await db.providerCursor.findUnique({ where: { provider: name } });
  if (!row) return null;
  const at = new Date(row.cursor);
  return Number.isNaN(at.getTime()) ? null : at;
}

export async function advanceCursor(db: Pick<Db, 'providerCursor'>, name: string, to: Date): Promise<void> {
  const current = await readCursor(db, name);
  if (current && current.getTime() >= to.getTime()) return;
  await db.providerCursor.upsert({
    where: { provider: name },
    create: { provider: name, cursor: to.toISOString() },
    update: { cursor: to.toISOString() },
  });
}

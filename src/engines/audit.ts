// Audit log: one row per mutation (actor, action, entity, before/after).
import type { Db } from '../db/client';
import { Prisma } from '../db/client';

export interface AuditEntry {
  clientId?: string | null;
  actorId?: string | null;
  actorKeyId?: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));

export async function recordAudit(db: Pick<Db, 'auditLog'>, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      clientId: e.clientId ?? null,
      actorId: e.actorId ?? null,
      actorKeyId: e.actorKeyId ?? null,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId ?? null,
      before: json(e.before),
      after: json(e.after),
      requestId: e.requestId ?? null,
    },
  });
}

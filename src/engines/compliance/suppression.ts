// Suppression list: global (scope "global") and per client; by email, phone or email domain.
import type { Db, SuppressionKind } from '../../db/client';
import { normalizePhone } from './phone';

// One phone function for suppression, STOP handling, DNCR and inbound matching (see ./phone).
export { normalizePhone };

export const GLOBAL_SCOPE = 'global';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0 ? normalizeEmail(email.slice(at + 1)) : null;
}

export interface SuppressionHit {
  kind: SuppressionKind;
  value: string;
  scope: string;
  reason: string;
}

/** The first suppression that applies to these contact details for this client, if any. */
export async function findSuppression(
  db: Pick<Db, 'suppression'>,
  clientId: string,
  contact: { email?: string | null; phone?: string | null },
): Promise<SuppressionHit | null> {
  const or: { kind: SuppressionKind; value: string }[] = [];
  if (contact.email) {
    or.push({ kind: 'email', value: normalizeEmail(contact.email) });
    const domain = emailDomain(contact.email);
    if (domain) or.push({ kind: 'domain', value: domain });
  }
  if (contact.phone) or.push({ kind: 'phone', value: normalizePhone(contact.phone) });
  if (or.length === 0) return null;
  const row = await db.suppression.findFirst({
    where: { deletedAt: null, scope: { in: [GLOBAL_SCOPE, clientId] }, OR: or },
    orderBy: { createdAt: 'asc' },
  });
  return row ? { kind: row.kind, value: row.value, scope: row.scope, reason: row.reason } : null;
}

/** Adds (or restores) a suppression; idempotent. `clientId` null means global. */
export async function suppress(
  db: Pick<Db, 'suppression'>,
  s: { clientId: string | null; kind: SuppressionKind; value: string; reason: string; source?: string },
): Promise<void> {
  const value = s.kind === 'phone' ? normalizePhone(s.value) : normalizeEmail(s.value);
  const scope = s.clientId ?? GLOBAL_SCOPE;
  await db.suppression.upsert({
    where: { scope_kind_value: { scope, kind: s.kind, value } },
    create: { scope, clientId: s.clientId, kind: s.kind, value, reason: s.reason, source: s.source },
    update: { deletedAt: null },
  });
}

/** Batch form of findSuppression for imports: one query for all contacts. */
export async function findSuppressions(
  db: Pick<Db, 'suppression'>,
  clientId: string,
  contacts: { email?: string | null; phone?: string | null }[],
): Promise<(SuppressionHit | null)[]> {
  const emails = new Set<string>();
  const domains = new Set<string>();
  const phones = new Set<string>();
  for (const c of contacts) {
    if (c.email) {
      emails.add(normalizeEmail(c.email));
      const d = emailDomain(c.email);
      if (d) domains.add(d);
    }
    if (c.phone) phones.add(normalizePhone(c.phone));
  }
  if (emails.size + phones.size === 0) return contacts.map(() => null);
  const rows = await db.suppression.findMany({
    where: {
      deletedAt: null,
      scope: { in: [GLOBAL_SCOPE, clientId] },
      OR: [
        { kind: 'email', value: { in: [...emails] } },
        { kind: 'domain', value: { in: [...domains] } },
        { kind: 'phone', value: { in: [...phones] } },
      ],
    },
  });
  const byKey = new Map(rows.map((r) => [`${r.kind}:${r.value}`, { kind: r.kind, value: r.value, scope: r.scope, reason: r.reason }]));
  return contacts.map((c) => {
    const keys: string[] = [];
    if (c.email) {
      keys.push(`email:${normalizeEmail(c.email)}`);
      const d = emailDomain(c.email);
      if (d) keys.push(`domain:${d}`);
    }
    if (c.phone) keys.push(`phone:${normalizePhone(c.phone)}`);
    for (const k of keys) {
      const hit = byKey.get(k);
      if (hit) return hit;
    }
    return null;
  });
}

// API keys: `aos_<prefix>_<secret>`. Only a SHA-256 hash is stored; the prefix finds the row and the
// hash is compared in constant time. A key is shown once, at creation.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client';

const KEY_PATTERN = /^aos_([a-z0-9]{12})_([A-Za-z0-9_-]{32,64})$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const key = `aos_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashKey(key) };
}

export class KeyBindingError extends Error {
  constructor() {
    super('the membership this key depends on has ended');
    this.name = 'KeyBindingError';
  }
}

/**
 * Creates a key for `userId`. `membershipId` binds it to a membership (see ApiKey.membershipId): a
 * key made with a bound key is bound too. Binding needs `db` to be a transaction: the membership row
 * is share-locked so a concurrent removal (which revokes its bound keys) cannot miss this one.
 */
export async function createApiKey(
  db: Db,
  input: { userId: string; name: string; expiresAt?: Date | null; membershipId?: string | null },
): Promise<{ key: string; id: string; prefix: string }> {
  if (input.membershipId) {
    const live = await db.$queryRaw<{ id: string }[]>`SELECT id FROM memberships WHERE id = ${input.membershipId} AND "deletedAt" IS NULL FOR SHARE`;
    if (live.length === 0) throw new KeyBindingError();
  }
  const { key, prefix, hash } = generateKey();
  const row = await db.apiKey.create({
    data: { userId: input.userId, name: input.name, prefix, hash, expiresAt: input.expiresAt ?? null, membershipId: input.membershipId ?? null },
  });
  return { key, id: row.id, prefix };
}

export type KeyCheck =
  { ok: true; keyId: string; userId: string; membershipId: string | null } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' };

/** Checks a presented key. Unknown and wrong-secret keys are indistinguishable to the caller. */
export async function verifyApiKey(db: Db, presented: string, now = new Date()): Promise<KeyCheck> {
  const m = KEY_PATTERN.exec(presented);
  if (!m) return { ok: false, reason: 'malformed' };
  const row = await db.apiKey.findUnique({
    where: { prefix: m[1] },
    include: { membership: { select: { deletedAt: true, client: { select: { deletedAt: true } } } } },
  });
  const expected = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
  const actual = Buffer.from(hashKey(presented), 'hex');
  // Compare even when the row is missing so timing does not reveal which prefixes exist.
  const match = timingSafeEqual(expected, actual);
  if (!row || !match) return { ok: false, reason: 'unknown' };
  if (row.revokedAt && row.revokedAt <= now) return { ok: false, reason: 'revoked' };
  if (row.graceUntil && row.graceUntil <= now) return { ok: false, reason: 'expired' };
  if (row.expiresAt && row.expiresAt <= now) return { ok: false, reason: 'expired' };
  // A bound key works only while its membership does (removal also revokes it; this holds even if
  // that was missed), and not while the membership's client is deleted.
  if (row.membershipId && (!row.membership || row.membership.deletedAt || row.membership.client.deletedAt)) return { ok: false, reason: 'revoked' };
  return { ok: true, keyId: row.id, userId: row.userId, membershipId: row.membershipId };
}

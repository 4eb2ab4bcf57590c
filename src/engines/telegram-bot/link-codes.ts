// One-time codes that link a Telegram account to an Agency OS user: the API issues a code to a
// signed-in user, the user sends `/link <code>` to the bot. Only the code's SHA-256 is stored (a
// database reader cannot link themselves), lookups go through the unique index on that digest (no
// timing difference between a near miss and a far one), a code works once and for 15 minutes.
import { createHash, randomInt } from 'node:crypto';
import type { Db, UserChannel } from '../../db/client';

export const TELEGRAM_CHANNEL = 'telegram';
export const LINK_CODE_TTL_MS = 15 * 60_000;
/** No 0/O, 1/I/L: codes are read off a screen and typed on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const LINK_CODE_LENGTH = 8;

export const hashLinkCode = (code: string) =>
  createHash('sha256')
    .update(`telegram-link:${normalizeLinkCode(code)}`)
    .digest('hex');

/** What the user typed, forgiving case, spaces and dashes ("abcd-efgh"). */
export function normalizeLinkCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

export function newLinkCode(): string {
  let code = '';
  for (let i = 0; i < LINK_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export interface IssuedLinkCode {
  channelId: string;
  code: string;
  expiresAt: Date;
}

/** A fresh code for the user; their earlier unused codes stop working. */
export async function issueLinkCode(db: Db, userId: string, now = new Date()): Promise<IssuedLinkCode> {
  const code = newLinkCode();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  const row = await db.$transaction(async (tx) => {
    await tx.userChannel.deleteMany({ where: { userId, channel: TELEGRAM_CHANNEL, linkedAt: null } });
    return tx.userChannel.create({ data: { userId, channel: TELEGRAM_CHANNEL, linkCode: hashLinkCode(code), linkCodeExpiresAt: expiresAt } });
  });
  return { channelId: row.id, code, expiresAt };
}

export type RedeemResult = { ok: true; channel: UserChannel } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Links the Telegram user (and their chat) to the code's owner. A Telegram account linked before
 * (to this or another user) moves to the new owner: one Telegram account, one Agency OS user.
 */
export async function redeemLinkCode(db: Db, a: { code: string; externalId: string; chatId: string; now?: Date }): Promise<RedeemResult> {
  const now = a.now ?? new Date();
  const normalized = normalizeLinkCode(a.code);
  if (!/^[A-Z0-9]{4,32}$/.test(normalized)) return { ok: false, reason: 'invalid' };
  const digest = hashLinkCode(normalized);
  const row = await db.userChannel.findUnique({ where: { linkCode: digest }, include: { user: { select: { deletedAt: true } } } });
  if (!row || row.channel !== TELEGRAM_CHANNEL || row.linkedAt || row.user.deletedAt) return { ok: false, reason: 'invalid' };
  if (!row.linkCodeExpiresAt || row.linkCodeExpiresAt <= now) {
    await db.userChannel.deleteMany({ where: { id: row.id, linkedAt: null } });
    return { ok: false, reason: 'expired' };
  }
  return db.$transaction(async (tx): Promise<RedeemResult> => {
    await tx.userChannel.deleteMany({ where: { channel: TELEGRAM_CHANNEL, externalId: a.externalId } });
    // Guarded on the digest: of two concurrent redemptions, one links and the other finds nothing.
    const taken = await tx.userChannel.updateMany({
      where: { id: row.id, linkCode: digest, linkedAt: null },
      data: { externalId: a.externalId, chatId: a.chatId, linkedAt: now, linkCode: null, linkCodeExpiresAt: null, pendingFeedbackId: null },
    });
    if (taken.count === 0) return { ok: false, reason: 'invalid' };
    return { ok: true, channel: await tx.userChannel.findUniqueOrThrow({ where: { id: row.id } }) };
  });
}

/** The linked Telegram channel of this Telegram user, with its (live) user. */
export async function linkedTelegramChannel(db: Db, externalId: string) {
  const row = await db.userChannel.findUnique({
    where: { channel_externalId: { channel: TELEGRAM_CHANNEL, externalId } },
    include: { user: { select: { id: true, name: true, email: true, deletedAt: true } } },
  });
  return row && row.linkedAt && !row.user.deletedAt ? row : null;
}

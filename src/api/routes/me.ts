// /api/v1/me: the caller's own chat channels. A one-time Telegram link code (sent to the bot as
// `/link <code>`), the linked channels, and unlinking one. Another user's channel is a 404.
import { Router } from 'express';
import { z } from 'zod';
import type { UserChannel } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { issueLinkCode, LINK_CODE_TTL_MS } from '../../engines/telegram-bot/link-codes';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { body, params, uuid } from '../validate';

export const channelParams = z.object({ channelId: uuid });
export const emptyBody = z.object({}).strict();

/** A linked channel as the API shows it (never the link code or its digest). */
export function channelView(c: UserChannel) {
  return { id: c.id, channel: c.channel, externalId: c.externalId, linkedAt: c.linkedAt, createdAt: c.createdAt };
}

export function meRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  r.post('/telegram/link-code', async (req, res) => {
    body(emptyBody, req);
    const userId = req.caller!.userId;
    // A linked chat outlives any key; a key that someone else may have held (ApiKey.membershipId)
    // must not leave one behind.
    if (req.caller!.keyMembershipId) throw new HttpError(403, 'KEY_NOT_OWN', 'this key may not link chat accounts: use a key you made yourself');
    const issued = await issueLinkCode(db, userId);
    // The code itself is a credential: the audit row records that one was issued, not what it is.
    await recordAudit(db, { ...actorOf(req), action: 'user_channel.link_code', entityType: 'user_channel', entityId: issued.channelId, after: { channel: 'telegram', expiresAt: issued.expiresAt } });
    res.status(201).json({
      code: issued.code,
      expiresAt: issued.expiresAt,
      instructions: `Send "/link ${issued.code}" to the Agency OS bot on Telegram within ${LINK_CODE_TTL_MS / 60_000} minutes. The code works once.`,
    });
  });

  r.get('/channels', async (req, res) => {
    const rows = await db.userChannel.findMany({ where: { userId: req.caller!.userId, linkedAt: { not: null } }, orderBy: [{ linkedAt: 'desc' }, { id: 'asc' }] });
    res.json({ data: rows.map(channelView) });
  });

  r.delete('/channels/:channelId', async (req, res) => {
    const { channelId } = params(channelParams, req);
    const row = await db.userChannel.findUnique({ where: { id: channelId } });
    if (!row || row.userId !== req.caller!.userId) throw notFound('channel');
    await db.userChannel.delete({ where: { id: channelId } });
    await recordAudit(db, { ...actorOf(req), action: 'user_channel.unlink', entityType: 'user_channel', entityId: channelId, before: channelView(row) });
    res.status(204).end();
  });

  return r;
}

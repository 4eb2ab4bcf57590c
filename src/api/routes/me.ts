// /api/v1/me: the caller's own chat channels. A one-time Telegram link code (sent to the bot as
// `/link <code>`), the linked channels, and unlinking one. Another user's channel is a 404.
import { z } from 'zod';
import type { UserChannel } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { issueLinkCode, LINK_CODE_TTL_MS } from '../../engines/telegram-bot/link-codes';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { uuid } from '../validate';
import { created, dateTime, id, noContent, nullableDateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const channelParams = z.object({ channelId: uuid });
export const emptyBody = z.object({}).strict();

/** A linked channel as the API shows it (never the link code or its digest). */
export function channelView(c: UserChannel) {
  return { id: c.id, channel: c.channel, externalId: c.externalId, linkedAt: c.linkedAt, createdAt: c.createdAt };
}

export const UserChannelSchema = z
  .object({ id, channel: z.string(), externalId: z.string().nullable(), linkedAt: nullableDateTime, createdAt: dateTime })
  .meta({ id: 'UserChannel', description: 'A chat account linked to the user (externalId: the Telegram user id).' });

export const meRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: '/api/v1/me/telegram/link-code',
    summary: 'A one-time code to link a Telegram account (send "/link <code>" to the bot)',
    description:
      'Valid 15 minutes, works once; issuing a new code invalidates your earlier unused ones. A key bound to a membership (one made from ' +
      'an initial key of an earlier version, which someone else may have held) gets 403 KEY_NOT_OWN.',
    tag: 'me',
    access: { kind: 'user' },
    body: emptyBody,
    responses: {
      201: created(z.object({ code: z.string().regex(/^[A-Z0-9]{8}$/), expiresAt: dateTime, instructions: z.string() })),
    },
    handler: async ({ body, req, res, deps }) => {
      const { db } = deps;
      body();
      const userId = req.caller!.userId;
      // A linked chat outlives any key; a key that someone else may have held (ApiKey.membershipId)
      // must not leave one behind.
      if (req.caller!.keyMembershipId) throw new HttpError(403, 'KEY_NOT_OWN', 'this key may not link chat accounts: use a key you made yourself');
      const issued = await issueLinkCode(db, userId);
      // The code itself is a credential: the audit row records that one was issued, not what it is.
      await recordAudit(db, {
        ...actorOf(req),
        action: 'user_channel.link_code',
        entityType: 'user_channel',
        entityId: issued.channelId,
        after: { channel: 'telegram', expiresAt: issued.expiresAt },
      });
      res.status(201).json({
        code: issued.code,
        expiresAt: issued.expiresAt,
        instructions: `Send "/link ${issued.code}" to the Agency OS bot on Telegram within ${LINK_CODE_TTL_MS / 60_000} minutes. The code works once.`,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/me/channels',
    summary: 'Your linked chat channels',
    tag: 'me',
    access: { kind: 'user' },
    responses: { 200: ok(z.object({ data: z.array(UserChannelSchema) })) },
    handler: async ({ req, res, deps }) => {
      const { db } = deps;
      const rows = await db.userChannel.findMany({
        where: { userId: req.caller!.userId, linkedAt: { not: null } },
        orderBy: [{ linkedAt: 'desc' }, { id: 'asc' }],
      });
      res.json({ data: rows.map(channelView) });
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/me/channels/{channelId}',
    summary: 'Unlink one of your chat channels',
    tag: 'me',
    access: { kind: 'user' },
    params: channelParams,
    responses: { 204: noContent },
    handler: async ({ params, req, res, deps }) => {
      const { db } = deps;
      const { channelId } = params;
      const row = await db.userChannel.findUnique({ where: { id: channelId } });
      if (!row || row.userId !== req.caller!.userId) throw notFound('channel');
      await db.userChannel.delete({ where: { id: channelId } });
      await recordAudit(db, { ...actorOf(req), action: 'user_channel.unlink', entityType: 'user_channel', entityId: channelId, before: channelView(row) });
      res.status(204).end();
    },
  }),
];

export const meRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/me', meRoutes);

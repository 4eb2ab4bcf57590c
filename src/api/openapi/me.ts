// /api/v1/me — the caller's own chat channels (Telegram linking).
import { z } from 'zod';
import { channelParams, emptyBody } from '../routes/me';
import { created, dateTime, id, noContent, nullableDateTime, ok, type ApiOperation } from './spec';

export const UserChannelSchema = z
  .object({ id, channel: z.string(), externalId: z.string().nullable(), linkedAt: nullableDateTime, createdAt: dateTime })
  .meta({ id: 'UserChannel', description: 'A chat account linked to the user (externalId: the Telegram user id).' });

export const meOperations: ApiOperation[] = [
  {
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
  },
  {
    method: 'get',
    path: '/api/v1/me/channels',
    summary: 'Your linked chat channels',
    tag: 'me',
    access: { kind: 'user' },
    responses: { 200: ok(z.object({ data: z.array(UserChannelSchema) })) },
  },
  {
    method: 'delete',
    path: '/api/v1/me/channels/{channelId}',
    summary: 'Unlink one of your chat channels',
    tag: 'me',
    access: { kind: 'user' },
    params: channelParams,
    responses: { 204: noContent },
  },
];

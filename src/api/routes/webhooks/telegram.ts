// POST /api/v1/webhooks/telegram: the bot's updates (setWebhook with a secret_token). Verified by
// `X-Telegram-Bot-Api-Secret-Token` (constant time), stored in the inbox deduplicated on update_id,
// answered 200, then handled by the worker (src/lifecycle/inbox-processing.ts → src/engines/telegram-bot),
// one sender's updates in order. A redelivered update finds its row and does nothing. Edited messages
// and other update kinds are acknowledged, not stored.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { recordInboxEvent } from '../../../engines/inbox/store';
import { TELEGRAM_PROVIDER } from '../../../engines/telegram-bot/inbox';
import { parseTelegramUpdate } from '../../../integrations/telegram';
import type { Config } from '../../../config';
import { ok } from '../../openapi/spec';
import { defineRoute } from '../../route-table';
import { HttpError } from '../../errors';
import { webhookAck } from './accept';
import { Secret } from './auth';
import { webhookJson } from './body';
import { accepted, AUTH_FIRST, notStored, payload } from './spec';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

// Before the body is parsed: a caller without the secret token costs no parsing.
function authenticate(config: Config): RequestHandler {
  // A bot needs its token (to answer) and the webhook secret (to trust what arrives).
  const secret = config.TELEGRAM_WEBHOOK_SECRET && config.TELEGRAM_BOT_TOKEN ? new Secret(config.TELEGRAM_WEBHOOK_SECRET) : null;
  return (req, _res, next) => {
    // Without a bot token and a webhook secret there is no bot here to deliver to: 404, a client
    // error (the sender's setup, not a server fault). Telegram keeps retrying an undelivered update.
    if (!secret) throw new HttpError(404, 'WEBHOOK_NOT_CONFIGURED', 'Telegram is not configured (TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET)');
    const given = req.headers[TELEGRAM_SECRET_HEADER];
    if (typeof given !== 'string' || given === '')
      throw new HttpError(401, 'UNAUTHENTICATED', 'webhook secret token required (X-Telegram-Bot-Api-Secret-Token)');
    if (!secret.matches(given)) throw new HttpError(403, 'FORBIDDEN', 'invalid webhook secret token');
    next();
  };
}

export const telegramWebhookRoute = defineRoute({
  method: 'post',
  path: '/api/v1/webhooks/telegram',
  summary: 'Telegram Bot API updates (X-Telegram-Bot-Api-Secret-Token), deduplicated on update_id',
  description:
    'Messages and inline-button presses are stored and answered at once, then handled. Missing token: 401; wrong: 403; Telegram not configured: 404. ' +
    AUTH_FIRST,
  tag: 'webhooks',
  access: { kind: 'public' },
  rateLimited: false,
  body: payload,
  responses: { 200: ok(z.union([accepted, notStored]), 'Stored (or a redelivery), or an update kind that needs no action') },
  before: (deps) => [authenticate(deps.config), webhookJson],
  handler: async ({ req, res, deps }) => {
    const update = parseTelegramUpdate(req.body);
    if (update.kind === 'other') {
      webhookAck(res, { received: true, stored: false });
      return;
    }
    const sender = update.kind === 'message' ? update.message.from?.id : update.callbackQuery.from.id;
    const row = await recordInboxEvent(deps.inboxSql ?? deps.db, {
      provider: TELEGRAM_PROVIDER,
      dedupeKey: String(update.updateId),
      eventType: update.kind,
      payload: req.body,
      orderKey: String(sender ?? update.updateId),
    });
    webhookAck(res, { received: true, id: row.id, duplicate: row.duplicate });
  },
});

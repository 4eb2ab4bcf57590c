// POST /api/v1/webhooks/telegram: the bot's updates (setWebhook with a secret_token). Verified by
// `X-Telegram-Bot-Api-Secret-Token` (constant time), stored in the inbox deduplicated on update_id,
// answered 200, then handled in-process (src/engines/telegram-bot). A redelivered update finds its
// row and does nothing. Edited messages and other update kinds are acknowledged, not stored.
import { Router, type RequestHandler } from 'express';
import { recordInboxEvent } from '../../../engines/inbox/store';
import { processTelegramInboxRow, TELEGRAM_PROVIDER } from '../../../engines/telegram-bot/inbox';
import { TelegramUpdateQueue } from '../../../engines/telegram-bot/update-queue';
import { parseTelegramUpdate } from '../../../integrations/telegram';
import { telegramBotDeps } from '../../../lifecycle/telegram-bot';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { Secret } from './auth';
import { webhookJson } from './body';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const queues = new WeakMap<ApiDeps, TelegramUpdateQueue>();

/** The app's update queue, when Telegram is configured (tests wait on its idle()). */
export const telegramUpdateQueue = (deps: ApiDeps): TelegramUpdateQueue | undefined => queues.get(deps);

export function telegramWebhookRouter(deps: ApiDeps): Router {
  const r = Router();
  const secret = deps.config.TELEGRAM_WEBHOOK_SECRET ? new Secret(deps.config.TELEGRAM_WEBHOOK_SECRET) : null;
  const bot = telegramBotDeps(deps);
  let queue: TelegramUpdateQueue | null = null;
  if (bot) {
    queue = new TelegramUpdateQueue((id) => processTelegramInboxRow(bot, id), {
      onError: (err, id) => deps.logger.warn({ err, webhookEventId: id }, 'telegram update processing crashed'),
    });
    queues.set(deps, queue);
  }

  // Before the body is parsed: a caller without the secret token costs no parsing.
  const authenticate: RequestHandler = (req, _res, next) => {
    // Without a bot token and a webhook secret there is no bot here to deliver to: 404, a client
    // error (the sender's setup, not a server fault). Telegram keeps retrying an undelivered update.
    if (!secret || !queue) throw new HttpError(404, 'WEBHOOK_NOT_CONFIGURED', 'Telegram is not configured (TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET)');
    const given = req.headers[TELEGRAM_SECRET_HEADER];
    if (typeof given !== 'string' || given === '') throw new HttpError(401, 'UNAUTHENTICATED', 'webhook secret token required (X-Telegram-Bot-Api-Secret-Token)');
    if (!secret.matches(given)) throw new HttpError(403, 'FORBIDDEN', 'invalid webhook secret token');
    next();
  };

  r.post('/', authenticate, webhookJson, async (req, res) => {
    if (!queue) throw new Error('telegram update queue missing after authentication');
    const update = parseTelegramUpdate(req.body);
    if (update.kind === 'other') {
      res.status(200).json({ received: true, stored: false });
      return;
    }
    const row = await recordInboxEvent(deps.db, { provider: TELEGRAM_PROVIDER, dedupeKey: String(update.updateId), eventType: update.kind, payload: req.body });
    res.status(200).json({ received: true, id: row.id, duplicate: row.duplicate });
    if (row.duplicate) return;
    const sender = update.kind === 'message' ? update.message.from?.id : update.callbackQuery.from.id;
    if (!queue.enqueue(String(sender ?? update.updateId), row.id)) {
      deps.logger.warn({ webhookEventId: row.id }, 'telegram update queue full; the update stays pending');
    }
  });
  return r;
}

// Webhook processing in the worker role. The API verifies a webhook, writes its inbox row and
// answers; writing the row NOTIFYs INBOX_CHANNEL at commit, and this module, listening, hands the row
// to the reply/event processor (InboxProcessor) or, for a Telegram update, to the per-sender update
// queue. API replicas hold no processing state; any number of workers may listen (a row is locked
// FOR UPDATE SKIP LOCKED while processed, so two never apply one event twice). A notification missed
// while the listening connection was down is made good by reading untried rows back from the inbox
// at every (re)connect, and the six-hourly recovery sweep is the net under both.
import { ROOT_CONTEXT, propagation, type Context } from '@opentelemetry/api';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { listenForNotifications, type Listener } from '../db/listen';
import { INBOX_CHANNEL, parseInboxNotification } from '../engines/inbox/store';
import { processTelegramInboxRow, TELEGRAM_PROVIDER } from '../engines/telegram-bot/inbox';
import { TelegramUpdateQueue } from '../engines/telegram-bot/update-queue';
import type { Logger } from '../logger';
import { InboxProcessor, type InboxProcessorOptions } from './inbox-processor';
import { replyProcessingDeps } from './replies';
import { telegramBotDeps } from './telegram-bot';

export interface InboxProcessingOptions {
  databaseUrl: string;
  db: Db;
  temporal: TemporalClient;
  taskQueue: string;
  config: Config;
  logger: Logger;
  processor?: InboxProcessorOptions;
}

export interface InboxProcessing {
  processor: InboxProcessor;
  /** The Telegram update queue, when a bot is configured. */
  telegram: TelegramUpdateQueue | null;
  /** Resolves when nothing held here waits or runs (rows whose notification has not arrived yet are not seen). */
  idle(): Promise<void>;
  /** Stops listening and waits up to `settleMs` for work in hand; the rest stays in the inbox. */
  stop(settleMs?: number): Promise<void>;
}

/** The trace a notification names (tracing on), else none. */
function traceOf(traceparent: string | undefined): Context | undefined {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : undefined;
}

export function startInboxProcessing(opts: InboxProcessingOptions): InboxProcessing {
  const log = opts.logger.child({ component: 'inbox-processing' });
  const processor = new InboxProcessor(replyProcessingDeps(opts), opts.processor);
  const bot = telegramBotDeps(opts);
  const telegram = bot
    ? new TelegramUpdateQueue((id) => processTelegramInboxRow(bot, id), {
        onError: (err, id) => log.warn({ err, webhookEventId: id }, 'telegram update processing crashed'),
      })
    : null;

  const listener: Listener = listenForNotifications({
    databaseUrl: opts.databaseUrl,
    channel: INBOX_CHANNEL,
    logger: log,
    onNotification: (payload) => {
      const n = parseInboxNotification(payload);
      if (!n) return;
      if (n.provider === TELEGRAM_PROVIDER) {
        // Without a bot the API answers Telegram 404 and writes nothing; a row written anyway waits.
        if (telegram && !telegram.enqueue(n.orderKey ?? n.id, n.id)) log.warn({ webhookEventId: n.id }, 'telegram update queue full; the update stays pending');
        return;
      }
      processor.enqueue(n.id, { provider: n.provider, eventType: n.eventType, trace: traceOf(n.trace) });
    },
    // Rows written while nobody listened (this process starting, a lost connection).
    onListening: () => processor.catchUp(),
  });

  return {
    processor,
    telegram,
    idle: async () => {
      await Promise.all([processor.idle(), telegram?.idle()]);
    },
    stop: async (settleMs = 10_000) => {
      await listener.stop();
      const deadline = new Promise<false>((resolve) => setTimeout(() => resolve(false), settleMs).unref());
      const settled = await processor.settle(settleMs);
      const telegramSettled = telegram ? await Promise.race([telegram.idle().then(() => true), deadline]) : true;
      if (!settled || !telegramSettled) log.warn('webhook processing still busy at shutdown; the rest stays in the inbox');
    },
  };
}

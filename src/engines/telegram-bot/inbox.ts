// Processing one stored Telegram update (a `webhook_events` row, provider `telegram`). The row is
// claimed first, by moving it from `pending` to `processed` in one guarded statement, so the
// in-process run after the webhook's 200 and any later sweep never both act on it: a chat message
// acted on twice (two runs, two replies) is worse than one lost to a crash mid-way. An update that
// throws ends `failed` with the reason; one that needs no action ends `ignored`.
import type { InboxStatus } from '../../db/client';
import { parseTelegramUpdate } from '../../integrations/telegram';
import type { BotDeps } from './deps';
import { handleTelegramUpdate } from './conversation';

export const TELEGRAM_PROVIDER = 'telegram';
const MAX_ERROR_CHARS = 500;

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, MAX_ERROR_CHARS);

export type TelegramRowOutcome = Exclude<InboxStatus, 'pending'> | 'skipped';

/** Processes the row if it is still pending; 'skipped' when it is gone or someone else took it. */
export async function processTelegramInboxRow(deps: BotDeps, id: string): Promise<TelegramRowOutcome> {
  const { db } = deps;
  const claimed = await db.webhookEvent.updateMany({
    where: { id, provider: TELEGRAM_PROVIDER, status: 'pending' },
    data: { status: 'processed', processedAt: deps.now?.() ?? new Date(), attempts: { increment: 1 } },
  });
  if (claimed.count === 0) return 'skipped';
  const row = await db.webhookEvent.findUnique({ where: { id }, select: { payload: true } });
  if (!row) return 'skipped';
  try {
    const result = await handleTelegramUpdate(deps, parseTelegramUpdate(row.payload));
    if ('ignored' in result) {
      await db.webhookEvent.update({ where: { id }, data: { status: 'ignored', lastError: result.ignored.slice(0, MAX_ERROR_CHARS) } });
      return 'ignored';
    }
    deps.logger?.debug({ webhookEventId: id, action: result.handled }, 'telegram update handled');
    return 'processed';
  } catch (err) {
    deps.logger?.warn({ err, webhookEventId: id }, 'telegram update failed');
    await db.webhookEvent.update({ where: { id }, data: { status: 'failed', lastError: firstLine(err) } });
    return 'failed';
  }
}

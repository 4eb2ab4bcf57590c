// Telegram: the Bot API client and the webhook's Update schemas. No TELEGRAM_BOT_TOKEN means no
// client: the webhook route answers 503 and chat notifications are skipped.
import type { Config } from '../../config';
import { TelegramClient, type TelegramBot } from './client';

export * from './client';
export * from './errors';
export * from './update-schema';

export function telegramFromConfig(config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_BASE_URL'>): TelegramBot | null {
  return config.TELEGRAM_BOT_TOKEN ? new TelegramClient({ token: config.TELEGRAM_BOT_TOKEN, baseUrl: config.TELEGRAM_BASE_URL }) : null;
}

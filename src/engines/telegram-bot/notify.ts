// Telling the chat a run has ended, by editing its "Working on…" message: the result's preview, the
// download command and 1–5 rating buttons; or why it failed; or that it was cancelled. Called by the
// skill run workflow's notify activity, so it is idempotent: a repeated edit with the same text is
// "not modified" (success), and a message that can no longer be edited gets a new one instead.
import { isUneditable, type InlineKeyboard, type TelegramBot } from '../../integrations/telegram';
import type { RunNotify, RunOutcome } from '../skill-runs/runs';
import { oneLine } from './messages';

export type TelegramNotify = Extract<RunNotify, { kind: 'telegram' }>;

const RATE_PREFIX = 'rate';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `rate:<outputId>:<n>`: 43 bytes for a UUID, within Telegram's 64-byte callback_data. */
export const rateCallbackData = (outputId: string, rating: number) => `${RATE_PREFIX}:${outputId}:${rating}`;

export function parseRateCallback(data: string | undefined): { outputId: string; rating: number } | null {
  const m = /^rate:([^:]+):([1-5])$/.exec(data ?? '');
  if (!m || !UUID.test(m[1])) return null;
  return { outputId: m[1].toLowerCase(), rating: Number(m[2]) };
}

export function ratingKeyboard(outputId: string): InlineKeyboard {
  return [[1, 2, 3, 4, 5].map((n) => ({ text: `${n} ⭐`, callback_data: rateCallbackData(outputId, n) }))];
}

/** The failure reason without stack frames or internal detail, one short paragraph. */
export function userFacingError(error: string | null): string {
  if (!error) return 'unknown error';
  const withoutStack = error.split(/\n\s+at\s/)[0];
  return oneLine(withoutStack, 400) || 'unknown error';
}

export function outcomeMessage(outcome: RunOutcome): { text: string; keyboard?: InlineKeyboard } {
  const what = `${outcome.skillName} for ${outcome.clientName}`;
  if (outcome.status === 'completed' && outcome.outputId) {
    const preview = outcome.preview ?? '';
    // The preview is the output's first 500 characters: a full one probably continues.
    const more = preview.length >= 500 ? '…' : '';
    return {
      text: [
        `✓ ${outcome.title ?? 'Your output'} is ready (${what})`,
        `${preview.trim()}${more}`,
        `Download: /download ${outcome.outputId}`,
        'How useful was it? Rate it 1–5:',
      ].join('\n\n'),
      keyboard: ratingKeyboard(outcome.outputId),
    };
  }
  if (outcome.status === 'cancelled') return { text: `✗ ${what} was cancelled.` };
  return { text: `✗ ${what} failed: ${userFacingError(outcome.error)}` };
}

export async function notifyRunOnTelegram(bot: TelegramBot, notify: TelegramNotify, outcome: RunOutcome): Promise<'edited' | 'unchanged' | 'sent'> {
  const { text, keyboard } = outcomeMessage(outcome);
  try {
    return await bot.editMessageText(notify.chatId, notify.messageId, text, { keyboard });
  } catch (err) {
    // Deleted, or too old to edit (48 h): the result still has to reach the chat.
    if (!isUneditable(err)) throw err;
    await bot.sendMessage(notify.chatId, text, { keyboard });
    return 'sent';
  }
}

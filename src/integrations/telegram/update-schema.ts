// The webhook's Update object (https://core.telegram.org/bots/api#update), only the parts the bot
// reads: a `message` (from, chat, text) and a `callback_query` (inline button press). Every object
// is loose, so fields Telegram adds later pass through; an update of any other kind (edited
// messages, channel posts, reactions, …) is valid and reported as `other`.
import { z } from 'zod';

// Telegram ids fit in 52 bits: safe JavaScript integers.
const tgId = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

export const TgUserSchema = z.looseObject({
  id: tgId,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

export const TgChatSchema = z.looseObject({
  id: tgId,
  type: z.string(),
  title: z.string().optional(),
  username: z.string().optional(),
});

export const TgMessageSchema = z.looseObject({
  message_id: z.number().int(),
  from: TgUserSchema.optional(),
  chat: TgChatSchema,
  date: z.number().int(),
  text: z.string().optional(),
});

/** A callback query's message may be "inaccessible" (date 0, no content): chat and id are enough. */
export const TgCallbackQuerySchema = z.looseObject({
  id: z.string().min(1),
  from: TgUserSchema,
  message: z.looseObject({ message_id: z.number().int(), chat: TgChatSchema, date: z.number().int() }).optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string(),
  data: z.string().optional(),
});

export const TgUpdateSchema = z.looseObject({
  update_id: z.number().int().min(0),
  message: TgMessageSchema.optional(),
  edited_message: TgMessageSchema.optional(),
  callback_query: TgCallbackQuerySchema.optional(),
});

export type TgUser = z.infer<typeof TgUserSchema>;
export type TgMessage = z.infer<typeof TgMessageSchema>;
export type TgCallbackQuery = z.infer<typeof TgCallbackQuerySchema>;
export type TgUpdate = z.infer<typeof TgUpdateSchema>;

export type ParsedTelegramUpdate =
  | { updateId: number; kind: 'message'; message: TgMessage }
  | { updateId: number; kind: 'callback_query'; callbackQuery: TgCallbackQuery }
  /** Edited messages and every other update type: acknowledged, not acted on. */
  | { updateId: number; kind: 'other'; type: string };

/** Parses an Update (throws a ZodError when it is not one). */
export function parseTelegramUpdate(payload: unknown): ParsedTelegramUpdate {
  const u = TgUpdateSchema.parse(payload);
  if (u.message) return { updateId: u.update_id, kind: 'message', message: u.message };
  if (u.callback_query) return { updateId: u.update_id, kind: 'callback_query', callbackQuery: u.callback_query };
  const type = Object.keys(u).find((k) => k !== 'update_id') ?? 'empty';
  return { updateId: u.update_id, kind: 'other', type };
}

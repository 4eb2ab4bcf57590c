// A small Telegram Bot API client over fetch: `POST {base}/bot{token}/{method}` with a JSON body
// (multipart/form-data for file uploads), answers `{ok, result}` or `{ok:false, error_code,
// description, parameters}`. Only the methods the bot uses. A 429 is waited out and retried a couple
// of times here (Telegram did nothing with the request, so it is safe); 5xx and network failures are
// thrown as retryable for the caller to retry, because a send may have gone through.
import { z } from 'zod';
import { TelegramError, isNotModified } from './errors';

export const TELEGRAM_DEFAULT_BASE_URL = 'https://api.telegram.org';
/** Longest message text Telegram accepts (after entity parsing; plain text here). */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** Longest callback_data, in bytes. */
export const TELEGRAM_CALLBACK_DATA_LIMIT = 64;

export interface InlineButton {
  text: string;
  callback_data: string;
}

/** Rows of inline buttons under a message. */
export type InlineKeyboard = InlineButton[][];

export interface SentMessage {
  messageId: number;
  chatId: number | string;
}

export interface MessageOptions {
  keyboard?: InlineKeyboard;
}

export interface DocumentFile {
  fileName: string;
  content: string;
  mimeType?: string;
}

export interface TelegramBot {
  sendMessage(chatId: string | number, text: string, opts?: MessageOptions): Promise<SentMessage>;
  /** 'unchanged' when the message already had this text and keyboard (an idempotent repeat). */
  editMessageText(chatId: string | number, messageId: number, text: string, opts?: MessageOptions): Promise<'edited' | 'unchanged'>;
  answerCallbackQuery(callbackQueryId: string, opts?: { text?: string }): Promise<void>;
  sendDocument(chatId: string | number, file: DocumentFile, opts?: { caption?: string }): Promise<SentMessage>;
}

export interface TelegramClientOptions {
  token: string;
  /** Default https://api.telegram.org (a local fake in tests). */
  baseUrl?: string;
  timeoutMs?: number;
  /** 429s waited out before giving up (each wait ≤ maxRetryWaitMs). Default 2. */
  maxRateLimitRetries?: number;
  maxRetryWaitMs?: number;
}

/** Cuts text to Telegram's limit (default 4096) on a character boundary, ending with "…". */
export function fitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string {
  const chars = Array.from(text);
  if (chars.length <= limit && text.length <= limit) return text;
  let out = '';
  // Telegram counts UTF-16 code units; stop before the limit without splitting a surrogate pair.
  for (const c of chars) {
    if (out.length + c.length > limit - 1) break;
    out += c;
  }
  return `${out}…`;
}

const ApiResponse = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.number().optional() }).optional(),
});

const MessageResult = z.looseObject({ message_id: z.number().int(), chat: z.looseObject({ id: z.union([z.number(), z.string()]) }) });

/** Numeric chat ids go out as numbers (as Telegram documents them); `@channel` names as strings. */
const chatIdParam = (chatId: string | number) =>
  typeof chatId === 'string' && /^-?\d{1,20}$/.test(chatId) && Number.isSafeInteger(Number(chatId)) ? Number(chatId) : chatId;

const replyMarkup = (keyboard?: InlineKeyboard) => (keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TelegramClient implements TelegramBot {
  private readonly baseUrl: string;

  constructor(private readonly opts: TelegramClientOptions) {
    this.baseUrl = (opts.baseUrl ?? TELEGRAM_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async sendMessage(chatId: string | number, text: string, opts: MessageOptions = {}): Promise<SentMessage> {
    const result = await this.call('sendMessage', {
      chat_id: chatIdParam(chatId),
      text: fitText(text),
      ...replyMarkup(opts.keyboard),
      link_preview_options: { is_disabled: true },
    });
    return sentMessage('sendMessage', result);
  }

  async editMessageText(chatId: string | number, messageId: number, text: string, opts: MessageOptions = {}): Promise<'edited' | 'unchanged'> {
    try {
      await this.call('editMessageText', {
        chat_id: chatIdParam(chatId),
        message_id: messageId,
        text: fitText(text),
        ...replyMarkup(opts.keyboard),
        link_preview_options: { is_disabled: true },
      });
      return 'edited';
    } catch (err) {
      if (isNotModified(err)) return 'unchanged';
      throw err;
    }
  }

  async answerCallbackQuery(callbackQueryId: string, opts: { text?: string } = {}): Promise<void> {
    await this.call('answerCallbackQuery', { callback_query_id: callbackQueryId, ...(opts.text ? { text: fitText(opts.text, 200) } : {}) });
  }

  async sendDocument(chatId: string | number, file: DocumentFile, opts: { caption?: string } = {}): Promise<SentMessage> {
    // Built per attempt: a FormData body is consumed by the request that sends it.
    const form = () => {
      const f = new FormData();
      f.set('chat_id', String(chatIdParam(chatId)));
      f.set('document', new Blob([file.content], { type: file.mimeType ?? 'text/markdown; charset=utf-8' }), file.fileName);
      if (opts.caption) f.set('caption', fitText(opts.caption, TELEGRAM_CAPTION_LIMIT));
      return f;
    };
    const result = await this.call('sendDocument', form, 60_000);
    return sentMessage('sendDocument', result);
  }

  /** One Bot API call, 429s waited out; returns `result`. */
  private async call(method: string, body: Record<string, unknown> | (() => FormData), timeoutMs?: number): Promise<unknown> {
    const retries = this.opts.maxRateLimitRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, body, timeoutMs);
      } catch (err) {
        const waitMs = err instanceof TelegramError && err.code === 429 ? (err.retryAfterSeconds ?? 1) * 1000 : null;
        if (waitMs === null || attempt >= retries || waitMs > (this.opts.maxRetryWaitMs ?? 5_000)) throw err;
        await sleep(waitMs);
      }
    }
  }

  private async once(method: string, body: Record<string, unknown> | (() => FormData), timeoutMs?: number): Promise<unknown> {
    const isForm = typeof body === 'function';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/bot${this.opts.token}/${method}`, {
        method: 'POST',
        headers: isForm ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: isForm ? body() : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs ?? this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      // Only the error's name and code: undici's messages are safe, but the cause may carry the URL.
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? 'timed out' : `failed (${e.cause?.code ?? e.name})`;
      throw new TelegramError(`Telegram ${method} request ${why}`, method, true, null, null);
    }
    const text = await res.text();
    const parsed = parseApiResponse(text);
    if (parsed?.ok && res.ok) return parsed.result;
    const code = parsed?.error_code ?? res.status;
    const description = parsed?.description ?? null;
    const retryAfter = parsed?.parameters?.retry_after ?? (Number(res.headers.get('retry-after')) || null);
    const retryable = code === 429 || code >= 500 || res.status >= 500;
    throw new TelegramError(
      `Telegram ${method} failed: ${code} ${description ?? `HTTP ${res.status}`}`,
      method,
      retryable,
      code,
      description,
      code === 429 ? retryAfter : null,
    );
  }
}

/** The Bot API's JSON answer, or null for anything else (a proxy's HTML error page). */
function parseApiResponse(text: string): z.infer<typeof ApiResponse> | null {
  try {
    const r = ApiResponse.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    // Not JSON (SyntaxError): the caller treats it like any unreadable answer.
    return null;
  }
}

function sentMessage(method: string, result: unknown): SentMessage {
  const m = MessageResult.safeParse(result);
  if (!m.success) throw new TelegramError(`Telegram ${method} answered without a message`, method, false, null, null);
  return { messageId: m.data.message_id, chatId: m.data.chat.id };
}

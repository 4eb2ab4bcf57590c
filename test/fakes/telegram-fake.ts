// A local stand-in for the Telegram Bot API (node:http on 127.0.0.1, port 0; TELEGRAM_BASE_URL
// points at it). `POST /bot<token>/<method>` with JSON or multipart/form-data bodies, answered like
// Telegram: `{ok:true,result}` with message objects (message_id increasing per chat), or
// `{ok:false,error_code,description}` for the errors the bot must handle (wrong token, "message is
// not modified", "message to edit not found", too long text, bad callback_data). Keeps each chat's
// bot messages as they are now (after edits); failures (429 with retry_after, 500, dropped
// connections) can be injected per method. Every call is recorded with its parsed fields.
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export interface UploadedFile {
  fileName: string;
  mimeType: string;
  content: string;
}

export interface TelegramCall {
  method: string;
  token: string;
  /** JSON body, or the multipart text fields (strings). */
  params: Record<string, unknown>;
  /** Multipart file fields (sendDocument's `document`). */
  files: Record<string, UploadedFile>;
  contentType: string;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: Array<Array<{ text: string; callback_data?: string }>>;
}

export interface FakeChatMessage {
  message_id: number;
  chatId: string;
  text?: string;
  reply_markup?: InlineKeyboardMarkup;
  document?: UploadedFile;
  caption?: string;
  edits: number;
}

export interface TelegramFake {
  url: string;
  token: string;
  http: HttpFake;
  calls: TelegramCall[];
  callsOf(method: string): TelegramCall[];
  /** The bot's messages in a chat, oldest first, as they look now. */
  messages(chatId: string | number): FakeChatMessage[];
  message(chatId: string | number, messageId: number): FakeChatMessage | undefined;
  /** The next `times` calls of `method` (any method when omitted; to `chatId` only, if given) fail with this Bot API error. */
  failNext(a: { method?: string; chatId?: string | number; status: number; description?: string; retryAfter?: number; times?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

const BOT = { id: 7000000001, is_bot: true, first_name: 'Agency OS', username: 'agency_os_test_bot' };
const TEXT_LIMIT = 4096;

const err = (status: number, description: string, extra: Record<string, unknown> = {}) => ({
  status,
  body: { ok: false, error_code: status, description, ...extra },
});
const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });

async function parseCall(req: RecordedRequest, token: string, method: string): Promise<TelegramCall> {
  const contentType = String(req.headers['content-type'] ?? '');
  const call: TelegramCall = { method, token, params: {}, files: {}, contentType };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(req.rawBody, { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') call.params[k] = v;
      else call.files[k] = { fileName: v.name, mimeType: v.type, content: await v.text() };
    }
  } else if (req.body && typeof req.body === 'object') {
    call.params = req.body as Record<string, unknown>;
  }
  return call;
}

function keyboardProblem(markup: unknown): string | null {
  const rows = (markup as InlineKeyboardMarkup | undefined)?.inline_keyboard;
  if (markup === undefined) return null;
  if (!Array.isArray(rows)) return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays';
  for (const row of rows)
    for (const b of row)
      if (b.callback_data !== undefined && (Buffer.byteLength(b.callback_data) > 64 || b.callback_data === '')) return 'Bad Request: BUTTON_DATA_INVALID';
  return null;
}

export async function startTelegramFake(token = `123456:${'A'.repeat(35)}`): Promise<TelegramFake> {
  const calls: TelegramCall[] = [];
  const chats = new Map<string, FakeChatMessage[]>();
  let nextMessageId = 100;
  let now = 1_750_000_000;

  const chatOf = (id: string) => {
    let c = chats.get(id);
    if (!c) chats.set(id, (c = []));
    return c;
  };
  const messageObject = (m: FakeChatMessage) => ({
    message_id: m.message_id,
    from: BOT,
    chat: { id: Number(m.chatId), type: 'private' },
    date: now++,
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    ...(m.document
      ? {
          document: {
            file_id: `file-${m.message_id}`,
            file_unique_id: `u${m.message_id}`,
            file_name: m.document.fileName,
            mime_type: m.document.mimeType,
            file_size: Buffer.byteLength(m.document.content),
          },
        }
      : {}),
    ...(m.caption ? { caption: m.caption } : {}),
  });

  const http = await startFake([
    {
      method: 'POST',
      path: '/:bot/:method',
      handler: async (req) => {
        const bot = req.params.bot;
        if (!bot.startsWith('bot')) return err(404, 'Not Found');
        const call = await parseCall(req, bot.slice(3), req.params.method);
        calls.push(call);
        if (call.token !== token) return err(401, 'Unauthorized');
        const p = call.params;
        const chatId = p.chat_id === undefined ? '' : String(p.chat_id);
        switch (call.method) {
          case 'getMe':
            return ok(BOT);
          case 'sendMessage': {
            const text = typeof p.text === 'string' ? p.text : '';
            if (!chatId) return err(400, 'Bad Request: chat_id is empty');
            if (!text.trim()) return err(400, 'Bad Request: message text is empty');
            if (text.length > TEXT_LIMIT) return err(400, 'Bad Request: message is too long');
            const bad = keyboardProblem(p.reply_markup);
            if (bad) return err(400, bad);
            const m: FakeChatMessage = {
              message_id: nextMessageId++,
              chatId,
              text,
              reply_markup: p.reply_markup as InlineKeyboardMarkup | undefined,
              edits: 0,
            };
            chatOf(chatId).push(m);
            return ok(messageObject(m));
          }
          case 'editMessageText': {
            const text = typeof p.text === 'string' ? p.text : '';
            const m = chatOf(chatId).find((x) => x.message_id === Number(p.message_id));
            if (!m) return err(400, 'Bad Request: message to edit not found');
            if (!text.trim()) return err(400, 'Bad Request: message text is empty');
            if (text.length > TEXT_LIMIT) return err(400, 'Bad Request: MESSAGE_TOO_LONG');
            const bad = keyboardProblem(p.reply_markup);
            if (bad) return err(400, bad);
            const markup = p.reply_markup as InlineKeyboardMarkup | undefined;
            if (m.text === text && JSON.stringify(m.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
              return err(
                400,
                'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
              );
            }
            m.text = text;
            m.reply_markup = markup;
            m.edits++;
            return ok(messageObject(m));
          }
          case 'answerCallbackQuery':
            if (typeof p.callback_query_id !== 'string' || !p.callback_query_id)
              return err(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
            return ok(true);
          case 'sendDocument': {
            const doc = call.files.document;
            if (!chatId) return err(400, 'Bad Request: chat_id is empty');
            if (!doc) return err(400, 'Bad Request: there is no document in the request');
            if (doc.content.length === 0) return err(400, 'Bad Request: file must be non-empty');
            const m: FakeChatMessage = {
              message_id: nextMessageId++,
              chatId,
              document: doc,
              caption: typeof p.caption === 'string' ? p.caption : undefined,
              edits: 0,
            };
            chatOf(chatId).push(m);
            return ok(messageObject(m));
          }
          default:
            return err(404, 'Not Found');
        }
      },
    },
  ]);

  const methodOf = (r: RecordedRequest) => r.path.split('/')[2] ?? '';
  return {
    url: http.url,
    token,
    http,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    messages: (chatId) => [...(chats.get(String(chatId)) ?? [])],
    message: (chatId, messageId) => chats.get(String(chatId))?.find((m) => m.message_id === messageId),
    failNext({ method, chatId, status, description, retryAfter, times = 1 }) {
      const body = {
        ok: false,
        error_code: status,
        description:
          description ?? (status === 429 ? `Too Many Requests: retry after ${retryAfter ?? 1}` : status >= 500 ? 'Internal Server Error' : 'Bad Request'),
        ...(status === 429 ? { parameters: { retry_after: retryAfter ?? 1 } } : {}),
      };
      const chatOfRequest = (r: RecordedRequest) => String((r.body as { chat_id?: unknown } | undefined)?.chat_id ?? '');
      http.failNext(status, body, times, (r) => (!method || methodOf(r) === method) && (chatId === undefined || chatOfRequest(r) === String(chatId)));
    },
    reset() {
      http.reset();
      calls.length = 0;
      chats.clear();
    },
    close: () => http.close(),
  };
}

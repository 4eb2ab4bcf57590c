// The Bot API client against the local fake: JSON and multipart calls, Telegram's error shapes
// (retryable 429/5xx/network vs permanent 4xx), idempotent edits, text limits; the Update schema
// over the fixtures; and the run-outcome message the skill run workflow edits into the chat.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { fitText, isUneditable, parseTelegramUpdate, TelegramClient, TelegramError, telegramFromConfig } from '../../src/integrations/telegram';
import { notifyRunOnTelegram, outcomeMessage, parseRateCallback, rateCallbackData } from '../../src/engines/telegram-bot/notify';
import type { RunOutcome } from '../../src/engines/skill-runs/runs';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram-fake';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'telegram', `${name}.json`), 'utf8')) as Record<string, unknown>;

let fake: TelegramFake;
let bot: TelegramClient;
const CHAT = '5550001001';

beforeAll(async () => {
  fake = await startTelegramFake();
  bot = new TelegramClient({ token: fake.token, baseUrl: fake.url, timeoutMs: 5_000 });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

describe('TelegramClient', () => {
  it('sends a message with an inline keyboard as JSON to /bot<token>/sendMessage', async () => {
    const sent = await bot.sendMessage(CHAT, 'hello', { keyboard: [[{ text: '1', callback_data: 'rate:x:1' }]] });
    const [call] = fake.callsOf('sendMessage');
    expect(call.token).toBe(fake.token);
    expect(call.contentType).toMatch(/application\/json/);
    expect(call.params).toMatchObject({ chat_id: 5550001001, text: 'hello', reply_markup: { inline_keyboard: [[{ text: '1', callback_data: 'rate:x:1' }]] } });
    expect(sent.messageId).toBe(fake.messages(CHAT)[0].message_id);
    const second = await bot.sendMessage(CHAT, 'again');
    expect(second.messageId).toBeGreaterThan(sent.messageId);
  });

  it('treats an edit to the same text and keyboard as done ("message is not modified")', async () => {
    const sent = await bot.sendMessage(CHAT, 'working…');
    await expect(bot.editMessageText(CHAT, sent.messageId, 'done')).resolves.toBe('edited');
    await expect(bot.editMessageText(CHAT, sent.messageId, 'done')).resolves.toBe('unchanged');
    expect(fake.message(CHAT, sent.messageId)).toMatchObject({ text: 'done', edits: 1 });
  });

  it('reports a missing message as a permanent, uneditable error', async () => {
    const e = await bot.editMessageText(CHAT, 999_999, 'x').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TelegramError);
    expect(e).toMatchObject({ retryable: false, code: 400, name: 'TelegramPermanentError' });
    expect(isUneditable(e)).toBe(true);
  });

  it('waits out a 429 with retry_after and tries again', async () => {
    fake.failNext({ method: 'sendMessage', status: 429, retryAfter: 1 });
    const sent = await bot.sendMessage(CHAT, 'after the limit');
    expect(sent.messageId).toBeGreaterThan(0);
    expect(fake.http.requests.filter((r) => r.path.endsWith('/sendMessage'))).toHaveLength(2);
    expect(fake.messages(CHAT)).toHaveLength(1);
  });

  it('gives up on a long 429 with a retryable error carrying retry_after', async () => {
    fake.failNext({ method: 'sendMessage', status: 429, retryAfter: 120 });
    await expect(bot.sendMessage(CHAT, 'x')).rejects.toMatchObject({ retryable: true, code: 429, retryAfterSeconds: 120, name: 'TelegramRetryableError' });
  });

  it('throws 5xx and dropped connections as retryable without retrying a possibly-sent message', async () => {
    fake.failNext({ method: 'sendMessage', status: 500 });
    await expect(bot.sendMessage(CHAT, 'x')).rejects.toMatchObject({ retryable: true, code: 500 });
    fake.http.dropNext(1);
    const e = (await bot.sendMessage(CHAT, 'x').catch((err: unknown) => err)) as TelegramError;
    expect(e).toMatchObject({ retryable: true, code: null });
    expect(fake.http.requests).toHaveLength(2);
  });

  it('never puts the token in an error message', async () => {
    const wrong = new TelegramClient({ token: '999:secret-token-value', baseUrl: fake.url });
    const e = (await wrong.sendMessage(CHAT, 'x').catch((err: unknown) => err)) as TelegramError;
    expect(e).toMatchObject({ retryable: false, code: 401, description: 'Unauthorized' });
    const unreachable = new TelegramClient({ token: '999:secret-token-value', baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    const n = (await unreachable.sendMessage(CHAT, 'x').catch((err: unknown) => err)) as TelegramError;
    expect(n.retryable).toBe(true);
    for (const err of [e, n]) expect(`${err.message} ${err.stack ?? ''}`).not.toContain('secret-token-value');
  });

  it('times out a hanging request as retryable', async () => {
    const stuck = createServer(() => undefined); // never answers
    await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', r));
    const client = new TelegramClient({ token: fake.token, baseUrl: `http://127.0.0.1:${(stuck.address() as AddressInfo).port}`, timeoutMs: 300 });
    await expect(client.sendMessage(CHAT, 'x')).rejects.toMatchObject({ retryable: true, message: 'Telegram sendMessage request timed out' });
    stuck.closeAllConnections();
    await new Promise((r) => stuck.close(r));
  });

  it('uploads a markdown document as multipart/form-data', async () => {
    await bot.sendDocument(CHAT, { fileName: 'homepage-copy-2025-06-01.md', content: '# Homepage\n\nCopy ✓' }, { caption: 'Homepage copy' });
    const [call] = fake.callsOf('sendDocument');
    expect(call.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(call.params).toMatchObject({ chat_id: CHAT, caption: 'Homepage copy' });
    expect(call.files.document).toEqual({ fileName: 'homepage-copy-2025-06-01.md', mimeType: 'text/markdown; charset=utf-8', content: '# Homepage\n\nCopy ✓' });
  });

  it('cuts texts to 4096 characters without splitting a character', async () => {
    const long = `${'a'.repeat(4094)}😀😀`;
    const fitted = fitText(long);
    expect(fitted.length).toBeLessThanOrEqual(4096);
    expect(fitted.endsWith('…')).toBe(true);
    expect(fitText('short')).toBe('short');
    await bot.sendMessage(CHAT, 'x'.repeat(10_000));
    expect((fake.messages(CHAT)[0].text ?? '').length).toBeLessThanOrEqual(4096);
  });

  it('is built from the configuration only when a bot token is set', () => {
    expect(telegramFromConfig({ TELEGRAM_BOT_TOKEN: undefined, TELEGRAM_BASE_URL: undefined })).toBeNull();
    expect(telegramFromConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_BASE_URL: fake.url })).toBeInstanceOf(TelegramClient);
  });
});

describe('Update schema', () => {
  it('reads messages and callback queries, keeping unknown fields', () => {
    const m = parseTelegramUpdate(fixture('message'));
    expect(m).toMatchObject({
      kind: 'message',
      updateId: 873401001,
      message: { text: 'Write homepage copy for Yaz Automate', from: { id: 5550001001 }, chat: { type: 'private' } },
    });
    const c = parseTelegramUpdate(fixture('callback-query'));
    expect(c).toMatchObject({ kind: 'callback_query', callbackQuery: { id: '4382bfdwdsb323b2d9', data: 'rate:00000000-0000-4000-8000-000000000000:4' } });
    const cmd = parseTelegramUpdate(fixture('command-message'));
    expect(cmd.kind === 'message' && (cmd.message as Record<string, unknown>).entities).toBeTruthy();
  });

  it('reports edited messages and other kinds as `other`, and messages without text as messages', () => {
    expect(parseTelegramUpdate(fixture('edited-message'))).toEqual({ kind: 'other', updateId: 873401004, type: 'edited_message' });
    expect(parseTelegramUpdate({ update_id: 5, message_reaction: { chat: { id: 1 } } })).toMatchObject({ kind: 'other', type: 'message_reaction' });
    const photo = parseTelegramUpdate(fixture('photo-message'));
    expect(photo.kind === 'message' && photo.message.text).toBeUndefined();
  });

  it('rejects what is not an Update', () => {
    expect(() => parseTelegramUpdate({ message: { text: 'hi' } })).toThrow(ZodError);
    expect(() => parseTelegramUpdate({ update_id: 'x' })).toThrow(ZodError);
    expect(() => parseTelegramUpdate({ update_id: 1, message: { message_id: 1, chat: { type: 'private' }, date: 1 } })).toThrow(ZodError);
  });
});

describe('run outcome message', () => {
  const OUTPUT_ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
  const outcome = (o: Partial<RunOutcome> = {}): RunOutcome => ({
    runId: 'r1',
    clientId: 'c1',
    clientName: 'Yaz Automate',
    skill: 'copywriting',
    skillName: 'Copywriting',
    status: 'completed',
    outputId: OUTPUT_ID,
    title: 'Homepage copy for Yaz Automate',
    preview: 'P'.repeat(500),
    error: null,
    notify: null,
    ...o,
  });

  it('has the preview, the download command and five rating buttons within 64-byte callback data', () => {
    const m = outcomeMessage(outcome());
    expect(m.text).toContain('✓ Homepage copy for Yaz Automate is ready');
    expect(m.text).toContain(`${'P'.repeat(500)}…`);
    expect(m.text).toContain(`Download: /download ${OUTPUT_ID}`);
    const buttons = m.keyboard!.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual([1, 2, 3, 4, 5].map((n) => `rate:${OUTPUT_ID}:${n}`));
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    expect(parseRateCallback(rateCallbackData(OUTPUT_ID, 4))).toEqual({ outputId: OUTPUT_ID, rating: 4 });
    for (const bad of ['rate:x:4', `rate:${OUTPUT_ID}:6`, `rate:${OUTPUT_ID}:0`, 'other', undefined]) expect(parseRateCallback(bad)).toBeNull();
  });

  it('says why a run failed without stack frames, and that a cancelled run was cancelled', () => {
    const failed = outcomeMessage(
      outcome({ status: 'failed', outputId: null, error: 'AI not configured: set ANTHROPIC_API_KEY to run skills\n    at generate (/app/src/x.ts:1:1)' }),
    );
    expect(failed).toEqual({ text: '✗ Copywriting for Yaz Automate failed: AI not configured: set ANTHROPIC_API_KEY to run skills' });
    expect(outcomeMessage(outcome({ status: 'cancelled', outputId: null })).text).toBe('✗ Copywriting for Yaz Automate was cancelled.');
  });

  it('edits the working message idempotently, and sends a new one when it cannot be edited', async () => {
    const working = await bot.sendMessage(CHAT, 'Working on Copywriting for Yaz Automate…');
    const notify = { kind: 'telegram' as const, chatId: CHAT, messageId: working.messageId };
    await expect(notifyRunOnTelegram(bot, notify, outcome())).resolves.toBe('edited');
    await expect(notifyRunOnTelegram(bot, notify, outcome())).resolves.toBe('unchanged');
    expect(fake.message(CHAT, working.messageId)?.reply_markup?.inline_keyboard[0]).toHaveLength(5);
    await expect(notifyRunOnTelegram(bot, { ...notify, messageId: 424242 }, outcome())).resolves.toBe('sent');
    expect(fake.messages(CHAT)).toHaveLength(2);
    fake.failNext({ method: 'editMessageText', status: 502 });
    await expect(notifyRunOnTelegram(bot, notify, outcome({ status: 'cancelled' }))).rejects.toMatchObject({ retryable: true });
  });
});

// The Telegram channel end to end, against the fake Bot API and the fake Anthropic server, with real
// Postgres and Temporal: webhook verification and deduplication, linking with one-time codes (and
// the /me API that issues them), refusals, and a skill run requested in chat, delivered by editing
// the "Working on…" message, rated with a button, annotated with what worked and downloaded.
import { runAdminWorkflow } from '../harness/admin-runs';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import type { MembershipRole } from '../../src/db/client';
import { createApiKey } from '../../src/engines/api-keys';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { outputFileName } from '../../src/engines/skill-runs/runs';
import { hashLinkCode, issueLinkCode } from '../../src/engines/telegram-bot/link-codes';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { startTelegramFake, type FakeChatMessage, type TelegramFake } from '../fakes/telegram-fake';
import { startTestStack, type TestStack } from '../harness/stack';
import { expectConforms } from '../api/conformance';

const SECRET = 'tg-webhook-secret_0123456789';
const MARKDOWN = `# Homepage copy for Yaz Automate\n\n## Hero\nAutomate the busywork, keep the craft.\n\n${'Body copy that sells the outcome, not the features. '.repeat(20)}\n\n## Call to action\nBook a demo.`;

let tg: TelegramFake;
let claude: AnthropicFake;
let stack: TestStack;

beforeAll(async () => {
  tg = await startTelegramFake();
  claude = await startAnthropicFake();
  claude.setResponder((req) => {
    if (req.tool === 'save_output') return toolReply({ title: 'Homepage copy for Yaz Automate', markdown: MARKDOWN });
    if (req.tool === 'choose_skill') return toolReply({ skill: 'none', confidence: 0.2, reason: 'not a content request' });
    return { kind: 'error', status: 400, message: `fake: unexpected tool ${req.tool}` };
  });
  stack = await startTestStack({
    env: {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_BASE_URL: tg.url,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: claude.url,
    },
  });
  await syncSkills(stack.db);
});
afterAll(async () => {
  await stack?.stop();
  await tg?.close();
  await claude?.close();
});

// ---- helpers ------------------------------------------------------------------------------------

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'telegram', `${name}.json`), 'utf8')) as Record<string, unknown>;
const tag = () => randomBytes(4).toString('hex');
let updateId = 900_000_000;
let telegramUserId = 6_100_000_000;

async function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function messageUpdate(fromId: number, text: string | undefined, id = ++updateId) {
  const u = fixture('message') as { message: Record<string, unknown> } & Record<string, unknown>;
  const from = { ...(u.message.from as object), id: fromId };
  const { text: _t, ...rest } = u.message;
  return {
    ...u,
    update_id: id,
    message: {
      ...rest,
      ...(text === undefined ? { photo: [{ file_id: 'p', file_unique_id: 'p', width: 1, height: 1 }] } : { text }),
      from,
      chat: { id: fromId, type: 'private', first_name: 'Yaz' },
    },
  };
}

function callbackUpdate(fromId: number, data: string, messageId: number) {
  const u = fixture('callback-query') as { callback_query: Record<string, unknown> } & Record<string, unknown>;
  const q = u.callback_query;
  return {
    ...u,
    update_id: ++updateId,
    callback_query: {
      ...q,
      id: `cb-${tag()}`,
      from: { ...(q.from as object), id: fromId },
      data,
      message: { ...(q.message as object), message_id: messageId, chat: { id: fromId, type: 'private' } },
    },
  };
}

function post(update: unknown, secret: string | null = SECRET) {
  let req = request(stack.app).post('/api/v1/webhooks/telegram');
  if (secret !== null) req = req.set('X-Telegram-Bot-Api-Secret-Token', secret);
  return req.send(update as object);
}

/** Posts and expects the update to be stored (or found) and answered 200. */
async function send(update: unknown) {
  const res = await post(update);
  expect(res.status).toBe(200);
  expectConforms('post', '/api/v1/webhooks/telegram', res);
  return res;
}

/** The last "Working on…" text sent to the chat (the message itself may have been edited since). */
const sentText = (chat: number) =>
  tg
    .callsOf('sendMessage')
    .filter((c) => String(c.params.chat_id) === String(chat) && String(c.params.text).startsWith('Working on'))
    .at(-1)?.params.text;

const botTexts = (chat: number) => tg.messages(chat).map((m) => m.text ?? '');

/** Sends a message and waits for the bot's next message in that chat. */
async function say(fromId: number, text: string | undefined): Promise<FakeChatMessage> {
  const before = tg.messages(fromId).length;
  await send(messageUpdate(fromId, text));
  return waitFor(`a reply to ${JSON.stringify(text)}`, () => tg.messages(fromId)[before]);
}

async function newUser(memberships: { name: string; role: MembershipRole }[]) {
  const user = await stack.db.user.create({ data: { email: `tg-${tag()}@test.example`, name: 'Yaz Example' } });
  const clients = [];
  for (const m of memberships) {
    const client =
      (await stack.db.client.findFirst({ where: { name: m.name } })) ??
      (await stack.db.client.create({ data: { name: m.name, slug: `${m.name.toLowerCase().replace(/\W+/g, '-')}-${tag()}` } }));
    await stack.db.membership.create({ data: { clientId: client.id, userId: user.id, role: m.role, acceptedAt: new Date() } });
    clients.push(client);
  }
  const { key } = await createApiKey(stack.db, { userId: user.id, name: 'tg' });
  return { user, clients, auth: { Authorization: `Bearer ${key}` }, telegramId: ++telegramUserId };
}

async function linkedUser(memberships: { name: string; role: MembershipRole }[]) {
  const u = await newUser(memberships);
  const { code } = await issueLinkCode(stack.db, u.user.id);
  const reply = await say(u.telegramId, `/link ${code}`);
  expect(reply.text).toMatch(/^Linked!/);
  return u;
}

const inboxRows = (dedupeKey: string) => stack.db.webhookEvent.count({ where: { provider: 'telegram', dedupeKey } });

// ---- webhook ------------------------------------------------------------------------------------

describe('POST /api/v1/webhooks/telegram', () => {
  it('answers 404 when Telegram is not configured', async () => {
    const app = createApp({
      config: loadConfig({ NODE_ENV: 'test' }),
      logger: stack.logger,
      db: stack.db,
      temporal: stack.temporal,
      taskQueue: stack.taskQueue,
      version: 'test',
    });
    const res = await request(app).post('/api/v1/webhooks/telegram').set('X-Telegram-Bot-Api-Secret-Token', SECRET).send(messageUpdate(1, 'hi'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('WEBHOOK_NOT_CONFIGURED');
  });

  it('refuses a missing (401) or wrong (403) secret token and stores nothing', async () => {
    const update = messageUpdate(++telegramUserId, 'hello');
    const missing = await post(update, null);
    expect(missing.status).toBe(401);
    expectConforms('post', '/api/v1/webhooks/telegram', missing);
    const wrong = await post(update, `${SECRET}x`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('FORBIDDEN');
    expect(await inboxRows(String(update.update_id))).toBe(0);
    expect(tg.messages(telegramUserId)).toHaveLength(0);
    expect(stack.logLines.join('')).not.toContain(SECRET);
  });

  it('answers 400 to malformed bodies and 413 to oversized ones', async () => {
    const broken = await request(stack.app)
      .post('/api/v1/webhooks/telegram')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .set('Content-Type', 'application/json')
      .send('{"update_id":');
    expect(broken.status).toBe(400);
    const notAnUpdate = await post({ message: { text: 'no update id' } });
    expect(notAnUpdate.status).toBe(400);
    expect(notAnUpdate.body.error.code).toBe('VALIDATION_ERROR');
    const huge = await post(messageUpdate(++telegramUserId, 'x'.repeat(300 * 1024)));
    expect(huge.status).toBe(413);
  });

  it('acknowledges edited messages without storing them', async () => {
    const res = await send(fixture('edited-message'));
    expect(res.body).toEqual({ received: true, stored: false });
    expect(await inboxRows('873401004')).toBe(0);
  });

  it('acts on a redelivered update_id once', async () => {
    const from = ++telegramUserId;
    const update = messageUpdate(from, 'hello?');
    const first = await send(update);
    const again = await send(update);
    expect(again.body).toMatchObject({ received: true, id: first.body.id, duplicate: true });
    expect(first.body.duplicate).toBe(false);
    // One user's updates are handled in order: once a later update is answered, a (wrongly) queued
    // duplicate would have been answered before it. The first reply is awaited first, so `say`
    // waits for the later update's own reply (on a busy machine the first may not be out yet).
    await waitFor('a reply to "hello?"', () => tg.messages(from)[0]);
    await say(from, 'anyone there?');
    expect(botTexts(from)).toHaveLength(2);
    expect(await inboxRows(String(update.update_id))).toBe(1);
    const row = await stack.db.webhookEvent.findFirstOrThrow({ where: { provider: 'telegram', dedupeKey: String(update.update_id) } });
    expect(row).toMatchObject({ status: 'processed', attempts: 1, eventType: 'message' });
  });

  it('marks the inbox row failed, with the reason, when the reply cannot be sent', async () => {
    const from = ++telegramUserId;
    tg.failNext({ method: 'sendMessage', chatId: from, status: 403, description: 'Forbidden: bot was blocked by the user' });
    const update = messageUpdate(from, 'hello');
    await send(update);
    const row = await waitFor('the row failed', () =>
      stack.db.webhookEvent.findFirst({ where: { provider: 'telegram', dedupeKey: String(update.update_id), status: 'failed' } }),
    );
    expect(row.lastError).toBe('Telegram sendMessage failed: 403 Forbidden: bot was blocked by the user');
  });

  it('ignores group chats and says nothing there', async () => {
    const group = fixture('group-message');
    await send({ ...group, update_id: ++updateId });
    const row = await waitFor('the group update settled', async () => {
      const r = await stack.db.webhookEvent.findFirst({ where: { provider: 'telegram', dedupeKey: String(updateId) } });
      return r && r.status !== 'pending' && r.status !== 'processed' ? r : null;
    });
    expect(row.status).toBe('ignored');
    expect(tg.messages(-1001234567890)).toHaveLength(0);
  });
});

// ---- linking ------------------------------------------------------------------------------------

describe('linking', () => {
  it('politely refuses an unlinked user and explains how to link', async () => {
    const reply = await say(++telegramUserId, 'Write homepage copy for Yaz Automate');
    expect(reply.text).toContain('only work with linked Agency OS accounts');
    expect(reply.text).toContain('/link <code>');
    expect(reply.text).toContain('/api/v1/me/telegram/link-code');
    expect(await stack.db.skillRun.count({ where: { source: 'telegram', message: { contains: 'homepage' }, userId: null } })).toBe(0);
  });

  it('links with a code from the API, once; bad and expired codes get a clear message', async () => {
    const u = await newUser([
      { name: 'Yaz Automate', role: 'member' },
      { name: 'Blue Harbour', role: 'viewer' },
    ]);
    const issued = await request(stack.app).post('/api/v1/me/telegram/link-code').set(u.auth).send({});
    expect(issued.status).toBe(201);
    expectConforms('post', '/api/v1/me/telegram/link-code', issued);
    expect(issued.body.code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(issued.body.instructions).toContain(`/link ${issued.body.code}`);
    // Only a digest is stored, and the audit row does not hold the code.
    const stored = await stack.db.userChannel.findFirstOrThrow({ where: { userId: u.user.id } });
    expect(stored.linkCode).toBe(hashLinkCode(issued.body.code));
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { action: 'user_channel.link_code', actorId: u.user.id } });
    expect(JSON.stringify(audit)).not.toContain(issued.body.code);

    expect((await say(u.telegramId, '/link ZZZZ2222')).text).toMatch(/isn't valid/);
    expect((await say(u.telegramId, '/link')).text).toMatch(/^Send your one-time code/);
    // Case and dashes forgiven.
    const code: string = issued.body.code;
    const linked = await say(u.telegramId, `/link ${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
    expect(linked.text).toContain('Linked! This Telegram account now acts as Yaz Example');
    expect(linked.text).toContain('Your clients: Blue Harbour, Yaz Automate.');

    const other = await newUser([{ name: 'Yaz Automate', role: 'member' }]);
    expect((await say(other.telegramId, `/link ${code}`)).text).toMatch(/already been used/);
    expect(await stack.db.userChannel.count({ where: { externalId: String(other.telegramId) } })).toBe(0);

    const expired = await issueLinkCode(stack.db, other.user.id);
    await stack.db.userChannel.update({ where: { id: expired.channelId }, data: { linkCodeExpiresAt: new Date(Date.now() - 1000) } });
    expect((await say(other.telegramId, `/link ${expired.code}`)).text).toMatch(/expired/);

    const channels = await request(stack.app).get('/api/v1/me/channels').set(u.auth);
    expect(channels.status).toBe(200);
    expectConforms('get', '/api/v1/me/channels', channels);
    expect(channels.body.data).toEqual([expect.objectContaining({ channel: 'telegram', externalId: String(u.telegramId) })]);
    expect(JSON.stringify(channels.body)).not.toMatch(/linkCode/);
  });

  it('unlinks a channel of the caller only; the bot then refuses', async () => {
    const u = await linkedUser([{ name: 'Yaz Automate', role: 'member' }]);
    const intruder = await newUser([{ name: 'Yaz Automate', role: 'owner' }]);
    const channelId = (await stack.db.userChannel.findFirstOrThrow({ where: { userId: u.user.id } })).id;
    const denied = await request(stack.app).delete(`/api/v1/me/channels/${channelId}`).set(intruder.auth);
    expect(denied.status).toBe(404);
    expectConforms('delete', `/api/v1/me/channels/${channelId}`, denied);
    const res = await request(stack.app).delete(`/api/v1/me/channels/${channelId}`).set('X-Request-Id', `unlink-${tag()}`).set(u.auth);
    expect(res.status).toBe(204);
    expect(await stack.db.auditLog.count({ where: { action: 'user_channel.unlink', entityId: channelId, requestId: res.headers['x-request-id'] } })).toBe(1);
    expect((await say(u.telegramId, '/help')).text).toContain('only work with linked Agency OS accounts');
  });
});

// ---- conversation -------------------------------------------------------------------------------

describe('conversation', () => {
  it('lists the skills as commands in /help and /start', async () => {
    const u = await linkedUser([{ name: 'Yaz Automate', role: 'member' }]);
    const help = (await say(u.telegramId, '/help')).text!;
    for (const cmd of ['/copywriting Copywriting', '/email_sequence', '/download <output id>', '/skip']) expect(help).toContain(cmd);
    expect((await say(u.telegramId, '/start')).text).toBe(help);
    expect((await say(u.telegramId, '/frobnicate now')).text).toMatch(/I don't know \/frobnicate/);
    expect((await say(u.telegramId, '/copywriting')).text).toMatch(/^What should I do with \/copywriting\?/);
    expect((await say(u.telegramId, undefined)).text).toMatch(/only read text/);
    expect((await say(u.telegramId, '/skip')).text).toBe('Nothing to skip.');
  });

  it('refuses viewers and asks which client when the user has several', async () => {
    const viewer = await linkedUser([{ name: 'Blue Harbour', role: 'viewer' }]);
    expect((await say(viewer.telegramId, 'Write homepage copy for Blue Harbour')).text).toMatch(/can view Blue Harbour but not run skills/);
    const multi = await linkedUser([
      { name: 'Yaz Automate', role: 'admin' },
      { name: 'Coral Studio', role: 'member' },
      { name: 'Blue Harbour', role: 'viewer' },
    ]);
    const ask = (await say(multi.telegramId, 'Write homepage copy')).text!;
    expect(ask).toMatch(/^Which client is this for\? Coral Studio, Yaz Automate\./);
    expect((await say(multi.telegramId, 'Write homepage copy for Blue Harbour')).text).toMatch(/can view Blue Harbour/);
    expect(await stack.db.skillRun.count({ where: { userId: { in: [viewer.user.id, multi.user.id] } } })).toBe(0);
  });

  it('says which skills it knows when it cannot tell', async () => {
    const u = await linkedUser([{ name: 'Yaz Automate', role: 'member' }]);
    const reply = (await say(u.telegramId, 'How is the weather in Sydney?')).text!;
    expect(reply).toMatch(/^Could not tell which skill you want/);
    expect(reply).toContain('/copywriting');
    expect(await stack.db.skillRun.count({ where: { userId: u.user.id } })).toBe(0);
  });

  it('runs a skill named by command, with the rest of the message as the request', async () => {
    const u = await linkedUser([{ name: 'Yaz Automate', role: 'owner' }]);
    const working = await say(u.telegramId, '/email_sequence a 3-email welcome series for Yaz Automate');
    // What was sent, not the message as it is now: the run may already have edited it.
    expect(sentText(u.telegramId)).toBe('Working on Email Sequence for Yaz Automate… This may take a minute or two.');
    // The "working" message can go out before the run's row is written.
    const run = await waitFor('the run row', () => stack.db.skillRun.findFirst({ where: { userId: u.user.id } }));
    expect(run).toMatchObject({ skillSlug: 'email-sequence', message: 'a 3-email welcome series for Yaz Automate' });
    await waitFor('the result', () => tg.message(u.telegramId, working.message_id)?.text?.startsWith('✓'));
  });

  it('runs a skill from chat: working message → result with buttons → rating → what worked → download', async () => {
    const u = await linkedUser([{ name: 'Yaz Automate', role: 'member' }]);
    const chat = u.telegramId;
    const working = await say(chat, 'Write homepage copy for Yaz Automate');
    // What was sent, not the message as it is now: the run may already have edited it.
    expect(sentText(chat)).toBe('Working on Copywriting for Yaz Automate… This may take a minute or two.');

    // The "working" message can go out before the run's row is written.
    const run = await waitFor('the run row', () => stack.db.skillRun.findFirst({ where: { userId: u.user.id } }));
    expect(run).toMatchObject({ skillSlug: 'copywriting', source: 'telegram', clientId: u.clients[0].id, message: 'Write homepage copy for Yaz Automate' });
    expect(run.notify).toEqual({ kind: 'telegram', chatId: String(chat), messageId: working.message_id });

    // The skill run workflow edits the working message when it is done.
    const done = await waitFor('the working message edited with the result', () => {
      const m = tg.message(chat, working.message_id);
      return m?.text?.startsWith('✓') ? m : null;
    });
    const output = await stack.db.output.findUniqueOrThrow({ where: { runId: run.id } });
    expect(done.text).toContain('✓ Homepage copy for Yaz Automate is ready (Copywriting for Yaz Automate)');
    expect(done.text).toContain(`${MARKDOWN.slice(0, 500).trim()}…`);
    expect(done.text).toContain(`Download: /download ${output.id}`);
    const buttons = done.reply_markup!.inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual([1, 2, 3, 4, 5].map((n) => `rate:${output.id}:${n}`));
    expect(claude.requests.some((r) => r.tool === 'save_output' && JSON.stringify(r.body.messages).includes('Write homepage copy for Yaz Automate'))).toBe(
      true,
    );
    expect(botTexts(chat).filter((t) => t.startsWith('Working on'))).toHaveLength(0);

    // A button press: rating recorded, the press answered, the follow-up question asked.
    const before = tg.messages(chat).length;
    await send(callbackUpdate(chat, buttons[3].callback_data!, working.message_id));
    const question = await waitFor('the what-worked question', () => tg.messages(chat)[before]);
    expect(question.text).toBe('Thanks for the feedback! What worked well? (Reply, or /skip)');
    expect(tg.callsOf('answerCallbackQuery').at(-1)?.params).toMatchObject({ text: 'Thanks!' });
    const feedback = await stack.db.feedback.findFirstOrThrow({ where: { outputId: output.id, userId: u.user.id } });
    expect(feedback).toMatchObject({ overall: 4, source: 'telegram', skillSlug: 'copywriting', clientId: u.clients[0].id, whatWorked: null });
    expect((await stack.db.userChannel.findFirstOrThrow({ where: { userId: u.user.id } })).pendingFeedbackId).toBe(feedback.id);

    // The next plain message is the answer, not a new request.
    expect((await say(chat, 'The hero line nailed their tone')).text).toMatch(/^Thanks, noted!/);
    expect(await stack.db.feedback.findUniqueOrThrow({ where: { id: feedback.id } })).toMatchObject({
      whatWorked: 'The hero line nailed their tone',
      overall: 4,
    });
    expect((await stack.db.userChannel.findFirstOrThrow({ where: { userId: u.user.id } })).pendingFeedbackId).toBeNull();
    expect(await stack.db.skillRun.count({ where: { userId: u.user.id } })).toBe(1);

    // Pressing another button replaces the rating; /skip then drops the question.
    await send(callbackUpdate(chat, buttons[4].callback_data!, working.message_id));
    await waitFor('the second question', () => tg.messages(chat).filter((m) => m.text?.startsWith('Thanks for the feedback')).length === 2);
    expect(await stack.db.feedback.findMany({ where: { outputId: output.id, userId: u.user.id } })).toEqual([
      expect.objectContaining({ id: feedback.id, overall: 5 }),
    ]);
    expect((await say(chat, '/skip')).text).toBe('OK, skipped.');

    // The full output as a markdown file.
    const docsBefore = tg.callsOf('sendDocument').length;
    const doc = await say(chat, `/download ${output.id}`);
    expect(doc.document).toEqual({ fileName: outputFileName(output), mimeType: 'text/markdown; charset=utf-8', content: MARKDOWN });
    expect(doc.caption).toBe('Homepage copy for Yaz Automate');
    expect(tg.callsOf('sendDocument')).toHaveLength(docsBefore + 1);

    // Someone else's output does not exist for this user, for downloads or ratings.
    const stranger = await linkedUser([{ name: 'Coral Studio', role: 'owner' }]);
    expect((await say(stranger.telegramId, `/download ${output.id}`)).text).toMatch(/^Output not found/);
    expect((await say(stranger.telegramId, '/download not-an-id')).text).toMatch(/^Output not found/);
    await send(callbackUpdate(stranger.telegramId, buttons[0].callback_data!, working.message_id));
    await waitFor('the stranger press answered', () => tg.callsOf('answerCallbackQuery').some((c) => String(c.params.text).startsWith('Output not found')));
    expect(await stack.db.feedback.count({ where: { outputId: output.id } })).toBe(1);
    // The bot token is in every Bot API URL: never in a log line.
    expect(stack.logLines.join('')).not.toContain(tg.token);
  });
});

// ---- recovery -----------------------------------------------------------------------------------

describe('the reply-recovery sweep', () => {
  it('handles a chat update left pending (its process died after the 200) and leaves failed ones alone', async () => {
    const u = await linkedUser([{ name: `Sweep Co ${tag()}`, role: 'member' }]);
    const before = tg.messages(u.telegramId).length;
    const stranded = messageUpdate(u.telegramId, '/help');
    const pending = await stack.db.webhookEvent.create({
      data: { provider: 'telegram', dedupeKey: String(stranded.update_id), eventType: 'message', payload: stranded },
    });
    const failedUpdate = messageUpdate(u.telegramId, '/help');
    const failed = await stack.db.webhookEvent.create({
      data: {
        provider: 'telegram',
        dedupeKey: String(failedUpdate.update_id),
        eventType: 'message',
        payload: failedUpdate,
        status: 'failed',
        attempts: 1,
        lastError: 'boom',
      },
    });

    const run = await runAdminWorkflow(stack.app, stack.adminKey, '/api/v1/admin/replies/recover', { minAgeSeconds: 0 });
    expect(run.status).toBe('completed');
    const reply = await waitFor('the help text', () => tg.messages(u.telegramId)[before]);
    expect(reply.text).toMatch(/\/copywriting/);
    expect(tg.messages(u.telegramId)).toHaveLength(before + 1);
    expect(await stack.db.webhookEvent.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await stack.db.webhookEvent.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: 'failed', attempts: 1, lastError: 'boom' });
  });
});

// Playbook runs end to end on a real Temporal server and PostgreSQL, Claude played by the local fake
// Messages API and Telegram by the fake Bot API: the shipped `email-campaign` playbook runs its three
// steps as child skill runs, each reading the outputs before it; one checkpoint is approved through
// the API and one with a Telegram button; a step that fails for good is retried alone; an edit
// replaces what the next step reads; a rejection ends the run; cancelling cancels the running child.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { syncPlaybooks } from '../../src/engines/playbooks/library';
import { parsePlaybookCallback } from '../../src/engines/telegram-bot/playbooks';
import { workflowIds } from '../../workflows/ids';
import { startAnthropicFake, toolReply, type AnthropicFake, type FakeMessagesRequest, type FakeReply } from '../fakes/anthropic-fake';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { expectConforms } from '../api/conformance';

const SECRET = 'tg-webhook-secret_0123456789';
const STEP_OF: Array<[string, string]> = [
  ['emails', 'Write the email sequence for this campaign'],
  ['copy', "Write the campaign's core copy"],
  ['brief', 'Write a one-page campaign brief'],
  ['alpha', 'ALPHA-INSTRUCTION'],
  ['beta', 'BETA-INSTRUCTION'],
  ['gamma', 'GAMMA-INSTRUCTION'],
];
const MARKDOWN: Record<string, string> = {
  brief: '# Campaign brief\n\nBRIEF-7Q: audit service launch for ops managers; offer a free 30-minute audit.',
  copy: '# Core copy\n\nCOPY-4K: Stop losing Fridays to busywork. Book your free audit.',
  emails: '# Email sequence\n\nEMAILS-9Z: five emails over two weeks, each with one call to action.',
  alpha: '# Alpha\n\nALPHA-OUT: the first parallel output, long enough.',
  beta: '# Beta\n\nBETA-OUT: the second parallel output, long enough.',
  gamma: '# Gamma\n\nGAMMA-OUT: what reads both parallel outputs.',
};

let tg: TelegramFake;
let claude: AnthropicFake;
let stack: TestStack;
let clientId: string;
let auth: { Authorization: string };
let userId: string;
const chatId = 6_200_000_001;
/** Replies for a step's next calls before the default (e.g. a failure), by step key. */
const scripted = new Map<string, Array<FakeReply | (() => Promise<FakeReply>)>>();

const text = (r: FakeMessagesRequest) => JSON.stringify(r.body.messages);
const stepOf = (r: FakeMessagesRequest) => STEP_OF.find(([, marker]) => text(r).includes(marker))?.[0];
const callsFor = (step: string) => claude.requests.filter((r) => r.tool === 'save_output' && stepOf(r) === step);

beforeAll(async () => {
  tg = await startTelegramFake();
  claude = await startAnthropicFake();
  claude.setResponder(async (req) => {
    const step = stepOf(req);
    if (!step || req.tool !== 'save_output') return { kind: 'error', status: 400, message: `fake: unexpected request ${req.tool}` };
    const next = scripted.get(step)?.shift();
    if (next) return typeof next === 'function' ? next() : next;
    return toolReply({ title: `The ${step}`, markdown: MARKDOWN[step] });
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
  await syncPlaybooks(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = (await stack.db.client.update({ where: { id: c.client.id }, data: { name: 'Yaz Automate' } })).id;
  auth = c.auth;
  userId = c.user.id;
  await stack.db.userChannel.create({ data: { userId, channel: 'telegram', externalId: String(chatId), chatId: String(chatId), linkedAt: new Date() } });
});
afterAll(async () => {
  await stack?.stop();
  await tg?.close();
  await claude?.close();
});

const api = () => request(stack.app);
let updateId = 910_000_000;

async function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function view(runId: string) {
  const res = await api().get(`/api/v1/playbook-runs/${runId}`).set(auth);
  expect(res.status).toBe(200);
  expectConforms('get', `/api/v1/playbook-runs/${runId}`, res);
  return res.body as {
    status: string;
    waitingFor: { step: string; kind: string } | null;
    steps: Array<{ key: string; status: string; output: string | null; attempts: number; skillRunId: string | null; edited: boolean; error: string | null }>;
  };
}

const waitForStatus = (runId: string, status: string, step?: string) =>
  waitFor(`run ${runId} ${status}${step ? ` at ${step}` : ''}`, async () => {
    const v = await view(runId);
    return v.status === status && (!step || v.waitingFor?.step === step) ? v : null;
  });

async function startRun(playbook = 'email-campaign', req = 'A launch campaign for our new automation audit service') {
  const res = await api().post('/api/v1/playbook-runs').set(auth).send({ playbook, clientId, request: req });
  expect(res.status).toBe(202);
  expectConforms('post', '/api/v1/playbook-runs', res);
  return res.body.playbookRunId as string;
}

function telegramPost(update: unknown) {
  return api()
    .post('/api/v1/webhooks/telegram')
    .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
    .send(update as object);
}

describe('the email-campaign playbook', () => {
  it('runs brief → copy → emails as child skill runs, outputs chained, one checkpoint approved by API and one by a Telegram button', async () => {
    // Started from chat, so checkpoints are announced there with buttons.
    const res = await telegramPost({
      update_id: ++updateId,
      message: {
        message_id: 1,
        from: { id: chatId, is_bot: false, first_name: 'Yaz' },
        chat: { id: chatId, type: 'private', first_name: 'Yaz' },
        date: 1750000000,
        text: '/playbook email-campaign A launch campaign for the Yaz Automate audit service',
      },
    });
    expect(res.status).toBe(200);
    const started = await waitFor('the started message', () => tg.messages(chatId).find((m) => m.text?.startsWith('Started Email campaign')));
    expect(started.text).toBe("Started Email campaign for Yaz Automate (3 steps). I'll message you at each checkpoint and when it's done.");
    const run = await waitFor('the run row', () => stack.db.playbookRun.findFirst({ where: { userId, source: 'telegram' } }));
    expect(run).toMatchObject({ clientId, playbookSlug: 'email-campaign', request: 'A launch campaign for the Yaz Automate audit service' });

    // Step 1 ran as a child skill run and the run waits at its checkpoint.
    let v = await waitForStatus(run.id, 'awaiting_approval', 'brief');
    expect(v.steps.map((s) => [s.key, s.status])).toEqual([
      ['brief', 'awaiting_approval'],
      ['copy', 'pending'],
      ['emails', 'pending'],
    ]);
    expect(v.steps[0].output).toBe(MARKDOWN.brief);
    const briefRun = await stack.db.skillRun.findUniqueOrThrow({ where: { id: v.steps[0].skillRunId! } });
    expect(briefRun).toMatchObject({ skillSlug: 'idea-to-spec', status: 'completed', source: 'playbook', clientId });
    // The step's run is pinned to the skill's version when it starts, like any run.
    const briefSkill = await stack.db.skill.findFirstOrThrow({ where: { slug: 'idea-to-spec', clientId: null } });
    expect(briefRun.skillVersion).toBe(briefSkill.version);
    expect(briefRun.skillVersionId).not.toBeNull();
    const child = await stack.temporal.workflow.getHandle(workflowIds.skillRun(briefRun.id)).describe();
    expect(child.parentExecution?.workflowId).toBe(workflowIds.playbookRun(run.id));
    const checkpointMessage = await waitFor('the checkpoint message', () => tg.messages(chatId).find((m) => m.text?.includes('step "brief"')));
    expect(checkpointMessage.text).toContain('Approve the campaign brief before the copy is written.');
    expect(checkpointMessage.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['✓ Approve', '✗ Reject']);

    // Approved through the API: a second decision on the same checkpoint is refused.
    const approve = await api().post(`/api/v1/playbook-runs/${run.id}/checkpoint`).set(auth).send({ decision: 'approve', step: 'brief' });
    expect(approve.status).toBe(200);
    expectConforms('post', `/api/v1/playbook-runs/${run.id}/checkpoint`, approve);
    expect(approve.body.steps[0].status).toBe('approved');
    const again = await api().post(`/api/v1/playbook-runs/${run.id}/checkpoint`).set(auth).send({ decision: 'approve', step: 'brief' });
    expect(again.status).toBe(409);

    // Step 2's prompt carries step 1's output.
    expect((await waitForStatus(run.id, 'awaiting_approval', 'copy')).steps[1].output).toBe(MARKDOWN.copy);
    expect(callsFor('copy')).toHaveLength(1);
    expect(text(callsFor('copy')[0])).toContain('BRIEF-7Q');

    // Approved with the Telegram button on its checkpoint message.
    const copyMessage = await waitFor('the copy checkpoint message', () => tg.messages(chatId).find((m) => m.text?.includes('step "copy"')));
    const approveButton = copyMessage.reply_markup!.inline_keyboard.flat().find((b) => b.text === '✓ Approve')!;
    expect(parsePlaybookCallback(approveButton.callback_data)).toEqual({ action: 'approve', runId: run.id, position: 1 });
    const press = await telegramPost({
      update_id: ++updateId,
      callback_query: {
        id: `cb-${randomBytes(4).toString('hex')}`,
        from: { id: chatId, is_bot: false, first_name: 'Yaz' },
        message: { message_id: copyMessage.message_id, chat: { id: chatId, type: 'private' }, date: 1750000020, text: copyMessage.text },
        chat_instance: '-1',
        data: approveButton.callback_data,
      },
    });
    expect(press.status).toBe(200);
    await waitFor('the button answered', () => tg.callsOf('answerCallbackQuery').some((c) => c.params.text === 'Approved "copy".'));

    // Step 3 reads both, and the run completes.
    v = await waitForStatus(run.id, 'completed');
    expect(v.steps.map((s) => [s.key, s.status])).toEqual([
      ['brief', 'approved'],
      ['copy', 'approved'],
      ['emails', 'completed'],
    ]);
    expect(text(callsFor('emails')[0])).toContain('BRIEF-7Q');
    expect(text(callsFor('emails')[0])).toContain('COPY-4K');
    expect(v.steps[2].output).toBe(MARKDOWN.emails);
    expect((await stack.db.playbookRunStep.findFirstOrThrow({ where: { runId: run.id, key: 'copy' } })).decidedBy).toBe(userId);
    await waitFor('the finished message', () => tg.messages(chatId).find((m) => m.text?.startsWith('✓ Playbook email-campaign is complete.')));
    expect(await stack.temporal.workflow.getHandle(workflowIds.playbookRun(run.id)).result()).toMatchObject({ status: 'completed' });
    recordHistory(workflowIds.playbookRun(run.id), 'playbook-run-completed');
  });

  it('retries a step that failed for good without re-running the steps before it', async () => {
    const before = { brief: callsFor('brief').length, copy: callsFor('copy').length };
    // A 400 from Claude is non-retryable: the copy step's skill run fails at once.
    scripted.set('copy', [{ kind: 'error', status: 400, errorType: 'invalid_request_error', message: 'fake: prompt rejected' }]);
    const runId = await startRun();
    await waitForStatus(runId, 'awaiting_approval', 'brief');
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(200);

    let v = await waitForStatus(runId, 'step_failed', 'copy');
    expect(v.waitingFor).toEqual({ step: 'copy', kind: 'retry' });
    const failed = v.steps[1];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toContain('prompt rejected');
    expect((await stack.db.skillRun.findUniqueOrThrow({ where: { id: failed.skillRunId! } })).status).toBe('failed');
    // The step's own run is retried through the playbook, not through /runs (its output would be lost);
    // it is listed among the client's runs as a playbook run.
    const direct = await api().post(`/api/v1/runs/${failed.skillRunId}/retry`).set(auth);
    expect(direct.status).toBe(409);
    expect(direct.body.error.message).toContain('playbook');
    const listed = await api().get('/api/v1/runs').query({ clientId, source: 'playbook', status: 'failed' }).set(auth);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { runId: string }) => r.runId)).toContain(failed.skillRunId);
    // Nothing to decide while a step is failed; a step that has not failed cannot be retried.
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(409);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/retry`).set(auth).send({ step: 'brief' })).status).toBe(409);

    const retry = await api().post(`/api/v1/playbook-runs/${runId}/retry`).set(auth).send({ step: 'copy' });
    expect(retry.status).toBe(202);
    expectConforms('post', `/api/v1/playbook-runs/${runId}/retry`, retry);
    v = await waitForStatus(runId, 'awaiting_approval', 'copy');
    expect(v.steps[1]).toMatchObject({ status: 'awaiting_approval', attempts: 2, output: MARKDOWN.copy, error: null });
    expect(v.steps[1].skillRunId).not.toBe(failed.skillRunId);
    // The brief ran once; the copy twice (the failed call, then the retry), reading the brief again.
    expect(callsFor('brief')).toHaveLength(before.brief + 1);
    expect(callsFor('copy')).toHaveLength(before.copy + 2);
    expect(text(callsFor('copy').at(-1)!)).toContain('BRIEF-7Q');

    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve', step: 'copy' })).status).toBe(200);
    v = await waitForStatus(runId, 'completed');
    expect(v.steps.map((s) => s.attempts)).toEqual([1, 2, 1]);
    expect(callsFor('brief')).toHaveLength(before.brief + 1);
    recordHistory(workflowIds.playbookRun(runId), 'playbook-run-step-retried');
  });

  it('passes an edited output on, and ends the run when a checkpoint is rejected', async () => {
    const runId = await startRun();
    await waitForStatus(runId, 'awaiting_approval', 'brief');
    // An edit needs its text; a decision for another step is refused.
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'edit' })).status).toBe(400);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve', step: 'copy' })).status).toBe(409);
    const edited = '# Campaign brief (edited)\n\nEDITED-BRIEF-3P: target finance teams instead.';
    const edit = await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'edit', output: edited, note: 'wrong audience' });
    expect(edit.status).toBe(200);
    expect(edit.body.steps[0]).toMatchObject({ status: 'approved', output: edited, edited: true, decisionNote: 'wrong audience' });

    await waitForStatus(runId, 'awaiting_approval', 'copy');
    const copyCall = text(callsFor('copy').at(-1)!);
    expect(copyCall).toContain('EDITED-BRIEF-3P');
    expect(copyCall).not.toContain('BRIEF-7Q');

    const emailsBefore = callsFor('emails').length;
    const reject = await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'reject', note: 'off brand' });
    expect(reject.status).toBe(200);
    const v = await waitForStatus(runId, 'rejected');
    expect(v.steps.map((s) => [s.key, s.status])).toEqual([
      ['brief', 'approved'],
      ['copy', 'rejected'],
      ['emails', 'cancelled'],
    ]);
    expect(callsFor('emails')).toHaveLength(emailsBefore);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(409);
  });

  it('cancelling the run cancels the skill run in progress', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived = false;
    scripted.set('brief', [
      async () => {
        arrived = true;
        await held;
        return toolReply({ title: 'late', markdown: MARKDOWN.brief });
      },
    ]);
    const runId = await startRun();
    await waitFor('the brief call in flight', () => arrived);
    const step = await stack.db.playbookRunStep.findFirstOrThrow({ where: { runId, key: 'brief' } });
    const cancel = await api().post(`/api/v1/playbook-runs/${runId}/cancel`).set(auth).send({});
    expect(cancel.status).toBe(202);
    expectConforms('post', `/api/v1/playbook-runs/${runId}/cancel`, cancel);
    const v = await waitForStatus(runId, 'cancelled');
    expect(v.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const child = await stack.temporal.workflow.getHandle(workflowIds.skillRun(step.skillRunId!)).describe();
    expect(child.status.name).toBe('CANCELLED');
    expect((await stack.db.skillRun.findUniqueOrThrow({ where: { id: step.skillRunId! } })).status).toBe('cancelled');
    release();
    // Cancelled is final: a second cancel answers 200, a retry 409.
    expect((await api().post(`/api/v1/playbook-runs/${runId}/cancel`).set(auth).send({})).status).toBe(200);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/retry`).set(auth).send({})).status).toBe(409);
  });
});

describe('playbooks through the API', () => {
  const parallel = {
    name: 'Parallel test',
    description: 'Two steps at once, then one that reads both.',
    steps: [
      { key: 'alpha', skill: 'copywriting', instruction: 'ALPHA-INSTRUCTION', parallel: 'pair' },
      { key: 'beta', skill: 'social-content', instruction: 'BETA-INSTRUCTION', parallel: 'pair' },
      { key: 'gamma', skill: 'email-sequence', instruction: 'GAMMA-INSTRUCTION', inputs: ['alpha', 'beta'] },
    ],
  };

  it('lists the shipped playbooks to any user; platform admins create and replace playbooks', async () => {
    const list = await api().get('/api/v1/playbooks').set(auth);
    expect(list.status).toBe(200);
    expectConforms('get', '/api/v1/playbooks', list);
    expect(list.body.data.map((p: { slug: string }) => p.slug)).toEqual(expect.arrayContaining(['email-campaign', 'landing-page-launch']));
    const one = await api().get('/api/v1/playbooks/landing-page-launch').set(auth);
    expect(one.body.steps.map((s: { key: string; skill: string }) => `${s.key}:${s.skill}`)).toEqual([
      'spec:idea-to-spec',
      'page-copy:copywriting',
      'cro-review:page-cro',
      'ad-copy:ad-copy',
    ]);
    expect(one.body.markdown).toContain('## cro-review\nskill: page-cro\ninputs: [spec, page-copy]');

    const admin = { Authorization: `Bearer ${stack.adminKey}` };
    const slug = `parallel-${randomBytes(3).toString('hex')}`;
    expect(
      (
        await api()
          .post('/api/v1/playbooks')
          .set(auth)
          .send({ slug, ...parallel })
      ).status,
    ).toBe(403);
    // An input that does not finish first, and an unknown skill, are 400s.
    const bad = await api()
      .post('/api/v1/playbooks')
      .set(admin)
      .send({ slug, ...parallel, steps: [{ ...parallel.steps[0], inputs: ['beta'] }, ...parallel.steps.slice(1)] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('does not finish before alpha starts');
    const unknownSkill = await api()
      .post('/api/v1/playbooks')
      .set(admin)
      .send({ slug, ...parallel, steps: [{ ...parallel.steps[0], skill: 'no-such-skill' }, ...parallel.steps.slice(1)] });
    expect(unknownSkill.status).toBe(400);
    const created = await api()
      .post('/api/v1/playbooks')
      .set(admin)
      .send({ slug, ...parallel });
    expect(created.status).toBe(201);
    expectConforms('post', '/api/v1/playbooks', created);
    expect(created.body).toMatchObject({ slug, version: 1, source: 'api' });
    expect(
      (
        await api()
          .post('/api/v1/playbooks')
          .set(admin)
          .send({ slug, ...parallel })
      ).status,
    ).toBe(409);

    // Run it: alpha and beta run at once, gamma reads both.
    const runId = await startRun(slug, 'Parallel work for Yaz Automate');
    const v = await waitForStatus(runId, 'completed');
    expect(v.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    const gamma = text(callsFor('gamma').at(-1)!);
    expect(gamma).toContain('ALPHA-OUT');
    expect(gamma).toContain('BETA-OUT');

    const replaced = await api()
      .put(`/api/v1/playbooks/${slug}`)
      .set(admin)
      .send({ ...parallel, name: 'Parallel test, renamed' });
    expect(replaced.status).toBe(200);
    expectConforms('put', `/api/v1/playbooks/${slug}`, replaced);
    expect(replaced.body).toMatchObject({ name: 'Parallel test, renamed', version: 2 });
    // The run keeps the steps it ran with.
    expect((await view(runId)).steps).toHaveLength(3);
  });

  it('refuses bad input with a 400 and changes nothing; another client cannot see a run', async () => {
    const before = await stack.db.playbookRun.count();
    for (const body of [
      {},
      { playbook: 'email-campaign', clientId },
      { playbook: 'no-such-playbook', clientId, request: 'x' },
      { playbook: 'email-campaign', clientId, request: 'x', extra: 1 },
    ]) {
      const res = await api().post('/api/v1/playbook-runs').set(auth).send(body);
      expect(res.status).toBe(400);
    }
    expect(await stack.db.playbookRun.count()).toBe(before);

    const run = await stack.db.playbookRun.findFirstOrThrow({ where: { clientId } });
    const other = await createClientWithUser(stack.db);
    expect((await api().get(`/api/v1/playbook-runs/${run.id}`).set(other.auth)).status).toBe(404);
    const viewer = await addUser(stack.db, clientId, 'viewer');
    const viewerAuth = { Authorization: `Bearer ${viewer.key}` };
    expect((await api().get(`/api/v1/playbook-runs/${run.id}`).set(viewerAuth)).status).toBe(200);
    expect((await api().post(`/api/v1/playbook-runs/${run.id}/cancel`).set(viewerAuth).send({})).status).toBe(403);
    const listed = await api().get('/api/v1/playbook-runs').query({ clientId }).set(auth);
    expect(listed.status).toBe(200);
    expectConforms('get', '/api/v1/playbook-runs', listed);
    expect(listed.body.data.length).toBeGreaterThan(0);
    expect((await api().get('/api/v1/playbook-runs').set(other.auth)).body.data).toEqual([]);
  });
});

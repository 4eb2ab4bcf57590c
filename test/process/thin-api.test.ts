// The API is thin: ROLE=api verifies a webhook, writes its inbox row and answers, and does nothing
// else with it; ROLE=worker processes it. A bounce accepted while no worker runs waits in the inbox
// untouched, and the worker takes it when it starts (read back as it begins to listen); with both
// running, the row's NOTIFY wakes the worker at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { harnessValue } from '../harness/env';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { freePort } from '../harness/ports';
import { fetchFresh, startMain, waitForHttp, waitForWorkerPolling, type MainProcess } from '../harness/process';
import { fixture, postmarkAuth, seedSend, waitFor, WEBHOOK_ENV } from '../webhooks/helpers';

jest.setTimeout(300_000);

describe('webhook processing runs in the worker role, not in the API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aos-thin-api-'));
  let database: TestDatabase;
  const procs: MainProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the API only stores and answers; the worker processes, on start and when notified', async () => {
    const db = database.db;
    const port = await freePort();
    const taskQueue = `thin-api-${port}`;
    const temporalAddress = harnessValue('temporalAddress');
    const env = {
      ...WEBHOOK_ENV,
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIGNING_SECRET: 't'.repeat(40),
    };
    const bounceFor = async () => {
      const { client } = await createClientWithUser(db);
      const lead = await createLead(db, client.id);
      const send = await seedSend(db, { clientId: client.id, leadId: lead.id });
      const payload = { ...fixture('postmark', 'bounce-hard'), ID: Math.floor(Math.random() * 1e9), MessageID: send.providerMessageId, Email: lead.email };
      return { lead, payload };
    };
    const post = (payload: unknown) =>
      fetchFresh(`http://127.0.0.1:${port}/api/v1/webhooks/postmark`, {
        method: 'POST',
        headers: { ...postmarkAuth(), 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      });
    const leadStatus = async (id: string) => (await db.lead.findUniqueOrThrow({ where: { id } })).status;

    const api = startMain({ ...env, ROLE: 'api', PORT: String(port) });
    procs.push(api);
    await waitForHttp(api, `http://127.0.0.1:${port}/api/v1/health/ready`);

    const first = await bounceFor();
    const res = await post(first.payload);
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    // Long enough for in-process processing, which took milliseconds when the API did it.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await leadStatus(first.lead.id)).not.toBe('bounced');

    const worker = startMain({ ...env, ROLE: 'worker' });
    procs.push(worker);
    await waitForWorkerPolling(worker, temporalAddress, taskQueue);
    await waitFor('the worker to take the waiting bounce', async () => (await leadStatus(first.lead.id)) === 'bounced', 60_000);
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'processed' });

    const second = await bounceFor();
    expect((await post(second.payload)).status).toBe(200);
    await waitFor('the notified worker to process the next bounce', async () => (await leadStatus(second.lead.id)) === 'bounced', 30_000);

    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);
  });
});

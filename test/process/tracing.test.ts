// Tracing as production runs it: `src/main.ts` as ROLE=api and ROLE=worker processes with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector (a local HTTP server recording OTLP/JSON). A
// self-test request to the API starts a workflow the other process runs: its server span, the
// client's StartWorkflow span, the worker's workflow and activity spans share one trace across the
// two processes, and what each buffered reaches the collector when it is stopped.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/engines/api-keys';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { harnessValue } from '../harness/env';
import { freePort } from '../harness/ports';
import { selfTestOverHttp, startMain, waitForHttp, waitForWorkerPolling, type MainProcess } from '../harness/process';

jest.setTimeout(300_000);

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface OtlpBody {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

describe('ROLE=api and ROLE=worker with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aos-tracing-'));
  const spans: (OtlpSpan & { service: string })[] = [];
  let collector: Server;
  let database: TestDatabase;
  const procs: MainProcess[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          for (const rs of (JSON.parse(body) as OtlpBody).resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
          }
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await database?.drop();
    await new Promise((resolve) => collector.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one trace runs from the API request through the workflow start to the worker, and both flush on stop', async () => {
    const admin = await database.db.user.create({ data: { email: 'tracing-admin@test.example', isPlatformAdmin: true } });
    const { key } = await createApiKey(database.db, { userId: admin.id, name: 'tracing' });
    const port = await freePort();
    const taskQueue = `tracing-${port}`;
    const temporalAddress = harnessValue('temporalAddress');
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIGNING_SECRET: 't'.repeat(40),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    };
    const api = startMain({ ...env, ROLE: 'api', PORT: String(port) });
    const worker = startMain({ ...env, ROLE: 'worker' });
    procs.push(api, worker);
    await Promise.all([waitForHttp(api, `http://127.0.0.1:${port}/api/v1/health/ready`), waitForWorkerPolling(worker, temporalAddress, taskQueue)]);

    // 202 with a status URL; the workflow runs on the worker while the status is polled.
    const { started, outcome } = await selfTestOverHttp(`http://127.0.0.1:${port}`, key);
    expect(started).toBe(202);
    expect(outcome).toMatchObject({ status: 'completed' });

    // Spans are batched: they reach the collector at the latest when each process stops.
    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);

    const server = spans.find((s) => s.name === 'POST /api/v1/admin/self-test');
    expect(server).toMatchObject({ service: 'agency-os-api' });
    const inTrace = spans.filter((s) => s.traceId === server!.traceId);
    const one = (name: string, service: string) => {
      const found = inTrace.filter((s) => s.name === name);
      expect([name, found.length, found[0]?.service]).toEqual([name, 1, service]);
      return found[0];
    };
    const start = one('StartWorkflow:selfTestWorkflow', 'agency-os-api');
    const run = one('RunWorkflow:selfTestWorkflow', 'agency-os-worker');
    const activityStart = inTrace.filter((s) => s.name.startsWith('StartActivity:') && s.parentSpanId === run.spanId);
    expect(activityStart.length).toBeGreaterThan(0);
    const activityRun = inTrace.filter((s) => s.name.startsWith('RunActivity:') && activityStart.some((a) => a.spanId === s.parentSpanId));
    expect(activityRun.map((s) => s.service)).toEqual(activityStart.map(() => 'agency-os-worker'));
    expect(start.parentSpanId).toBe(server!.spanId);
    expect(run.parentSpanId).toBe(start.spanId);
  });
});

// Tracing through the real parts: a Postmark reply through the API route (its server span), the
// in-process webhook processing, the Temporal client's stop signal, the sequence workflow handling
// it (the SDK's workflow interceptors, spans exported through the worker's sink) and the local
// activity that closes the sequence: one trace, each span the child of the one before. Spans go to
// an in-memory exporter; the worker runs in this process against the run's Temporal dev server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Worker } from '@temporalio/worker';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config';
import { startTracing, type Tracing } from '../../src/observability/tracing';
import { harnessValue } from '../harness/env';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { inboundReply, postmarkAuth, seedSend, settled, waitFor, WEBHOOK_ENV } from '../webhooks/helpers';

const TRACE_HEADER = '_tracer-data';

/** A lead whose sequence runs, and a reply asking to be removed (stop: unsubscribe) through the real route. */
async function replyStoppingASequence(stack: TestStack) {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'traced' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, campaignId: campaign.id });
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: 'Please remove me from your list.' });
  const res = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply);
  expect(res.status).toBe(200);
  expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
  expect((await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`)).status).toBe('processed');
  const history = await handle.fetchHistory();
  const signalled = (history.events ?? []).find(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stop',
  )?.workflowExecutionSignaledEventAttributes;
  expect(signalled).toBeDefined();
  return { requestId: String(res.headers['x-request-id']), handle, history, signalHeaders: Object.keys(signalled?.header?.fields ?? {}) };
}

describe('tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: WEBHOOK_ENV });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('registers nothing: no provider, no spans, no trace header on the signal', async () => {
    expect(await startTracing(loadConfig({ ...WEBHOOK_ENV, ROLE: 'api' }))).toBeNull();
    const { signalHeaders } = await replyStoppingASequence(stack);
    expect(signalHeaders).not.toContain(TRACE_HEADER);
    // The global API is the no-op one: a span started anywhere records nothing and has no trace id.
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0'.repeat(32));
    span.end();
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: TestStack;
  beforeAll(async () => {
    tracing = (await startTracing({ ROLE: 'all' }, { exporter, version: 'test' }))!;
    stack = await startTestStack({ env: WEBHOOK_ENV, tracing });
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
  });

  it('follows a reply from its webhook request through the stop signal to the activity that closes the sequence', async () => {
    const { requestId, handle, history, signalHeaders } = await replyStoppingASequence(stack);
    expect(signalHeaders).toContain(TRACE_HEADER);

    const server = exporter.getFinishedSpans().find((s) => s.attributes['http.request.id'] === requestId);
    expect(server).toBeDefined();
    const traceId = server!.spanContext().traceId;
    // Workflow spans leave the sandbox through the sink after their activation: wait for the last one.
    const spans = await waitFor('the closing activity span', async () => {
      const inTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return inTrace.some((s) => s.name === 'RunActivity:finishSequence') ? inTrace : null;
    });
    const byName = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      expect([name, found.length]).toEqual([name, 1]);
      return found[0];
    };
    const chain = [
      'POST /api/v1/webhooks/postmark',
      'webhook process',
      'SignalWorkflow:stop',
      'HandleSignal:stop',
      'StartActivity:finishSequence',
      'RunActivity:finishSequence',
    ].map(byName);
    expect(chain[0]).toBe(server);
    expect(server!.parentSpanId).toBeUndefined();
    for (let i = 1; i < chain.length; i++) {
      expect([chain[i].name, chain[i].parentSpanId]).toEqual([chain[i].name, chain[i - 1].spanContext().spanId]);
    }
    expect(server).toMatchObject({
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/webhooks/postmark', 'http.response.status_code': 200 },
    });
    expect(server!.resource.attributes).toMatchObject({ 'service.name': 'agency-os', 'service.version': 'test' });
    expect(chain[1].attributes).toMatchObject({ 'webhook.provider': 'postmark' });
    expect(chain[3].attributes).toMatchObject({ workflowId: handle.workflowId, workflowType: 'leadSequenceWorkflow' });
    expect(chain[5].attributes).toMatchObject({ temporalWorkflowId: handle.workflowId });
    // The sequence's run itself belongs to the trace that started it (the campaign's enrolment), not this one.
    expect(spans.some((s) => s.name === 'RunWorkflow:leadSequenceWorkflow')).toBe(false);

    // Recorded with the interceptors, the run replays on the bundle without them (tracing turned off).
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: harnessValue('bundlePath') } }, history, handle.workflowId)).resolves.toBeUndefined();
  });
});

it("with OTEL_EXPORTER_OTLP_ENDPOINT set, exports over OTLP/HTTP under the role's service name, flushes on shutdown and unregisters", async () => {
  // A collector that records what it is sent.
  const received: { path: string; body: string }[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  try {
    const tracing = await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`, ROLE: 'worker' }), { version: '1.2.3' });
    expect(tracing!.provider.resource.attributes).toMatchObject({ 'service.name': 'agency-os-worker', 'service.version': '1.2.3' });
    const span = trace.getTracer('probe').startSpan('probe-span');
    expect(span.isRecording()).toBe(true);
    span.end();
    // Batched: nothing is sent before the flush that shutdown does.
    await tracing!.shutdown();
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
    const sent = JSON.parse(received[0].body) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(sent.resourceSpans[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'agency-os-worker' } });
    expect(sent.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['probe-span']);
    expect(trace.getTracer('probe').startSpan('after').isRecording()).toBe(false);

    const named = await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, ROLE: 'api', OTEL_SERVICE_NAME: 'edge' }));
    expect(named!.provider.resource.attributes['service.name']).toBe('edge');
    await named!.shutdown();
  } finally {
    await new Promise((resolve) => collector.close(resolve));
  }
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
});

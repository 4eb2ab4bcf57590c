// leadEnrichmentWorkflow end to end: real Temporal and Postgres, the real provider drivers pointed at
// local fakes of Apollo, Apify and Clay.
import { randomUUID } from 'node:crypto';
import { startTestStack, type TestStack } from '../harness/stack';
import { recordHistory } from '../harness/histories';
import { ApolloEnrichment } from '../../src/integrations/apollo/apollo';
import { ApifyEnrichment } from '../../src/integrations/apify/enrichment';
import { ClayEnrichment } from '../../src/integrations/clay/clay';
import type { EnrichmentDrivers, LookupInput } from '../../src/integrations/enrichment';
import { enrichmentProgress, startEnrichment } from '../../src/lifecycle/enrichment';
import { enrichmentProgressQuery, type EnrichmentProgress } from '../../workflows/definitions/enrichment';
import { workflowIds } from '../../workflows/ids';
import type { leadEnrichmentWorkflow } from '../../workflows/lead-enrichment';
import type { enrichmentSweepWorkflow } from '../../workflows/enrichment-sweep';
import type { LeadEnrichment } from '../../src/engines/scout';
import { APOLLO_FAKE_KEY, apolloPerson, startApolloFake, type ApolloFake } from '../fakes/apollo-fake';
import { APIFY_FAKE_ACTOR, APIFY_FAKE_TOKEN, startApifyFake, type ApifyFake } from '../fakes/apify-fake';
import { CLAY_FAKE_KEY, CLAY_FAKE_WEBHOOK_ID, startClayFake, type ClayFake } from '../fakes/clay-fake';

let stack: TestStack;
let apollo: ApolloFake;
let apify: ApifyFake;
let clay: ClayFake;
let clientId: string;
const leadIds: string[] = [];
const emails: string[] = [];

// Lookups of gated leads wait until the test opens the gate (to read progress mid-way).
let gated = new Set<string>();
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();

function gatedDrivers(real: EnrichmentDrivers): EnrichmentDrivers {
  return {
    ...real,
    apollo: {
      source: 'apollo',
      sandbox: false,
      lookup: async (input: LookupInput) => {
        if (gated.has(input.ref)) await gate;
        return real.apollo.lookup(input);
      },
    },
  };
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  [apollo, apify, clay] = await Promise.all([startApolloFake(), startApifyFake(), startClayFake()]);
  const drivers = gatedDrivers({
    apollo: new ApolloEnrichment({ apiKey: APOLLO_FAKE_KEY, baseUrl: apollo.url }),
    apify: new ApifyEnrichment({ token: APIFY_FAKE_TOKEN, actor: APIFY_FAKE_ACTOR, baseUrl: apify.url, timeoutSecs: 20 }),
    clay: new ClayEnrichment({ apiKey: CLAY_FAKE_KEY, webhookId: CLAY_FAKE_WEBHOOK_ID, baseUrl: clay.url }),
  });
  stack = await startTestStack({ activityDeps: { enrichment: drivers } });

  const client = await stack.db.client.create({
    data: {
      name: 'Bright Agency',
      slug: `bright-${randomUUID().slice(0, 8)}`,
      icpIndustries: ['Software'],
      icpCompanySizes: ['11-50'],
      icpTitles: ['Founder'],
      icpLocations: ['AU'],
      icpConfirmedAt: new Date(),
      alsWeights: { timing: 2 },
    },
  });
  clientId = client.id;
  for (let i = 0; i < 30; i++) {
    const domain = `co${i}.example.com.au`;
    const email = `p${i}@${domain}`;
    emails.push(email);
    const lead = await stack.db.lead.create({ data: { clientId, email, firstName: `P${i}`, lastName: 'Lead' } });
    leadIds.push(lead.id);
    // Apollo knows two in three; every fifth company is hiring (Apify); Clay knows everyone.
    if (i % 3 !== 2) {
      apollo.people.push(
        apolloPerson({
          email,
          firstName: `P${i}`,
          lastName: 'Lead',
          title: i % 2 === 0 ? 'Founder' : 'Marketing Manager',
          state: 'NSW',
          country: 'Australia',
          org: { name: `Company ${i}`, domain, industry: 'Software', employees: 25 },
        }),
      );
    }
    if (i % 5 === 0) apify.companies.set(domain, { openJobs: 2, jobTitles: ['Engineer'] });
    clay.records.set(email, { person: { title: 'Owner', phone: `+6140000${String(i).padStart(4, '0')}` }, company: { industry: 'Software' } });
  }
});

afterAll(async () => {
  openGate();
  await stack?.stop();
  await Promise.all([apollo?.close(), apify?.close(), clay?.close()]);
});

describe('leadEnrichmentWorkflow', () => {
  it('enriches and scores 30 leads chunk by chunk, with progress visible mid-way and at the end', async () => {
    gated = new Set(leadIds.slice(10, 20));
    gate = new Promise((r) => (openGate = r));
    // One lead's Apollo call is refused outright (a 400 is not retried): it must count as failed.
    apollo.failNext(400, { error: 'bad request' }, 1, (r) => r.query.get('email') === emails[25]);

    const batchId = randomUUID();
    const workflowId = workflowIds.enrichment(clientId, batchId);
    const handle = await stack.temporal.workflow.start<typeof leadEnrichmentWorkflow>('leadEnrichmentWorkflow', {
      workflowId,
      taskQueue: stack.taskQueue,
      // Small chunks and a low history limit so this batch also continues as new.
      args: [{ version: 1, clientId, batchId, leadIds, chunkSize: 10, historyLimit: 15 }],
    });

    const mid = await waitFor(
      () => handle.query(enrichmentProgressQuery),
      (p: EnrichmentProgress) => p.chunk === 2 && p.step === 'enriching',
    );
    expect(mid).toMatchObject({ batchId, total: 30, enriched: 10, scored: 10, failed: 0, percent: 33, chunks: 3 });
    expect(await enrichmentProgress(stack.temporal, workflowId)).toMatchObject({ chunk: 2, step: 'enriching' });
    openGate();

    const done = await handle.result();
    expect(done).toMatchObject({ total: 30, enriched: 29, scored: 29, failed: 1, skipped: 0, percent: 100, step: 'done', chunk: 3 });
    expect(done.runs).toBeGreaterThan(1);
    expect(await enrichmentProgress(stack.temporal, workflowId)).toEqual(done);

    const description = await handle.describe();
    expect(description.searchAttributes.ClientId).toEqual([clientId]);

    const leads = await stack.db.lead.findMany({ where: { clientId }, orderBy: { email: 'asc' } });
    const failed = leads.find((l) => l.email === emails[25])!;
    expect(failed).toMatchObject({ status: 'new', enrichedAt: null, alsScore: null });
    const rest = leads.filter((l) => l.email !== emails[25]);
    for (const l of rest) {
      expect(l.status).toBe('scored');
      expect(l.enrichedAt).not.toBeNull();
      expect(l.alsScore).toEqual(expect.any(Number));
      expect(l.alsTier).not.toBeNull();
      expect([l.alsDataQuality, l.alsAuthority, l.alsCompanyFit, l.alsTiming, l.alsRisk].every((n) => typeof n === 'number')).toBe(true);
      expect(l.alsScore).toBe(l.alsDataQuality! + l.alsAuthority! + l.alsCompanyFit! + l.alsTiming! + 15 - l.alsRisk!);
    }
    // An Apollo founder at an ICP company in NSW: title, firmographics, zone; authority maxed.
    const p0 = leads.find((l) => l.email === emails[0])!;
    expect(p0).toMatchObject({
      title: 'Founder',
      companyName: 'Company 0',
      companyIndustry: 'Software',
      companySize: 25,
      country: 'AU',
      state: 'NSW',
      timeZone: 'Australia/Sydney',
      alsAuthority: 25,
    });
    // Hiring (Apify) with timing weight 2: 5 points → 10.
    expect(p0.alsTiming).toBe(10);
    expect((p0.enrichment as unknown as LeadEnrichment).sources).toEqual(['apollo', 'apify']);
    expect(p0.enrichmentSource).toBe('apollo,apify');

    // Clay: at most floor(15% × 10) = 1 per chunk, for leads Apollo did not know.
    expect(clay.rows.length).toBeGreaterThan(0);
    expect(clay.rows.length).toBeLessThanOrEqual(3);
    const viaClay = rest.filter((l) => (l.enrichment as unknown as LeadEnrichment).lookedUp.includes('clay'));
    expect(viaClay).toHaveLength(clay.rows.length);
    for (const l of viaClay) expect(l.title).toBe('Owner');

    expect(await stack.db.enrichmentCache.count()).toBe(29);
  });

  it('re-running the batch is idempotent: no new lookups for enriched leads, same scores', async () => {
    const before = await stack.db.lead.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
    const calls = { apollo: apollo.requests.length, apify: apify.requests.length, clay: clay.rows.length };

    const { workflowId, batchId } = await startEnrichment(stack.temporal, stack.taskQueue, { clientId, leadIds: [...leadIds, leadIds[0]] });
    expect(workflowId).toBe(`enrich:${clientId}:${batchId}`);
    // Starting the same batch again is a no-op.
    await expect(startEnrichment(stack.temporal, stack.taskQueue, { clientId, leadIds, batchId })).resolves.toEqual({ workflowId, batchId });
    const result = await stack.temporal.workflow.getHandle<typeof leadEnrichmentWorkflow>(workflowId).result();
    expect(result).toMatchObject({ total: 30, enriched: 30, scored: 30, failed: 0, percent: 100, runs: 1 });
    recordHistory(workflowId, 'lead-enrichment');

    // Only the lead that failed before was looked up (its cache entry did not exist).
    expect(apollo.requests.length - calls.apollo).toBe(1);
    expect(apify.requests.length - calls.apify).toBe(1);
    const after = await stack.db.lead.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
    for (const [i, l] of after.entries()) {
      const b = before[i];
      if (b.email === emails[25]) continue;
      expect({ ...l, updatedAt: null, scoredAt: null }).toEqual({ ...b, updatedAt: null, scoredAt: null });
    }
    expect(after.find((l) => l.email === emails[25])?.status).toBe('scored');
  });

  it('retries only the leads whose provider failed retryably', async () => {
    const a = await stack.db.lead.create({ data: { clientId, email: 'retry-a@co5.example.com.au' } });
    const b = await stack.db.lead.create({ data: { clientId, email: 'retry-b@co10.example.com.au' } });
    apify.reset();
    apify.failNext(503, { error: { type: 'internal-error', message: 'busy' } }, 1, (r) => (r.body as { ref?: string }).ref === a.id);

    const { workflowId } = await startEnrichment(stack.temporal, stack.taskQueue, { clientId, leadIds: [a.id, b.id] });
    const result = await stack.temporal.workflow.getHandle<typeof leadEnrichmentWorkflow>(workflowId).result();
    expect(result).toMatchObject({ total: 2, enriched: 2, scored: 2, failed: 0 });
    // The second attempt redid lead a only: b was written by the first.
    const refs = apify.requests.map((r) => (r.body as { ref: string }).ref);
    expect(refs.filter((x) => x === a.id)).toHaveLength(2);
    expect(refs.filter((x) => x === b.id)).toHaveLength(1);
  });
});

describe('enrichmentSweepWorkflow', () => {
  it('starts enrichment for leads left new, once, and leaves finished ones alone', async () => {
    const stale = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const orphan = await stack.db.lead.create({ data: { clientId, email: 'orphan@co0.example.com.au', firstName: 'Or', lastName: 'Phan', updatedAt: stale } });
    const fresh = await stack.db.lead.create({ data: { clientId, email: 'fresh@co1.example.com.au' } });
    await stack.db.enrichmentCache.create({
      data: { key: 'v1:person:email:gone@x.example', source: 'apollo', data: {}, expiresAt: new Date(Date.now() - 1000) },
    });

    const sweepId = `sweep-test-${randomUUID()}`;
    const sweep = await stack.temporal.workflow.execute<typeof enrichmentSweepWorkflow>('enrichmentSweepWorkflow', {
      workflowId: sweepId,
      taskQueue: stack.taskQueue,
      args: [{ version: 1 }],
    });
    recordHistory(sweepId, 'enrichment-sweep');
    expect(sweep.leads).toBe(1);
    expect(sweep.started).toEqual([
      { clientId, workflowId: expect.stringMatching(new RegExp(`^enrich:${clientId}:sweep-[0-9a-f]{20}$`)), batchId: expect.any(String), leads: 1 },
    ]);
    expect(sweep.purgedCacheEntries).toBe(1);
    const progress = await stack.temporal.workflow.getHandle<typeof leadEnrichmentWorkflow>(sweep.started[0].workflowId).result();
    expect(progress).toMatchObject({ total: 1, scored: 1 });
    expect(await stack.db.lead.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({ status: 'scored' });
    // Touched within the hour: left to the import's own workflow.
    expect(await stack.db.lead.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ status: 'new' });

    const again = await stack.temporal.workflow.execute<typeof enrichmentSweepWorkflow>('enrichmentSweepWorkflow', {
      workflowId: `sweep-test-${randomUUID()}`,
      taskQueue: stack.taskQueue,
      args: [{ version: 1 }],
    });
    expect(again.started).toEqual([]);
  });
});

// The real Clay driver against a local fake of a table's inbound webhook.
import { ClayEnrichment, SandboxClayEnrichment } from '../../src/integrations/clay/clay';
import { CLAY_FAKE_KEY, CLAY_FAKE_WEBHOOK_ID, startClayFake, type ClayFake } from '../fakes/clay-fake';

let clay: ClayFake;
let driver: ClayEnrichment;

beforeAll(async () => {
  clay = await startClayFake();
  driver = new ClayEnrichment({ apiKey: CLAY_FAKE_KEY, webhookId: CLAY_FAKE_WEBHOOK_ID, baseUrl: clay.url, timeoutMs: 2_000 });
  clay.records.set('kim@harbour.example.co.nz', {
    person: { title: 'Operations Manager', phone: '+6421555123', linkedin_url: 'https://www.linkedin.com/in/kim-h', city: 'Auckland', country: 'New Zealand' },
    company: { name: 'Harbour Logistics', domain: 'harbour.example.co.nz', industry: 'Logistics', employee_count: '120' },
  });
});
afterAll(() => clay.close());
beforeEach(() => {
  clay.reset();
  clay.rows.length = 0;
  clay.mode.acknowledgeOnly = false;
});

describe('ClayEnrichment', () => {
  it('posts the lead as a row with the webhook auth header and maps the answer', async () => {
    const r = await driver.lookup({
      ref: 'lead-9',
      email: 'Kim@Harbour.example.co.nz',
      firstName: 'Kim',
      lastName: 'Hale',
      companyDomain: 'harbour.example.co.nz',
    });
    const req = clay.requests[0];
    expect(req.path).toBe(`/v3/sources/webhook/${CLAY_FAKE_WEBHOOK_ID}`);
    expect(req.headers['x-clay-webhook-auth']).toBe(CLAY_FAKE_KEY);
    expect(req.body).toEqual({
      ref: 'lead-9',
      email: 'kim@harbour.example.co.nz',
      first_name: 'Kim',
      last_name: 'Hale',
      company_domain: 'harbour.example.co.nz',
    });
    expect(r).toEqual({
      source: 'clay',
      found: true,
      person: { title: 'Operations Manager', phone: '+6421555123', linkedinUrl: 'https://www.linkedin.com/in/kim-h', city: 'Auckland', country: 'New Zealand' },
      company: { name: 'Harbour Logistics', domain: 'harbour.example.co.nz', industry: 'Logistics', employees: 120 },
    });
  });

  it('reports not found, and a bare acknowledgement as queued (not an error)', async () => {
    await expect(driver.lookup({ ref: 'x', email: 'nobody@else.example' })).resolves.toEqual({ source: 'clay', found: false });
    clay.mode.acknowledgeOnly = true;
    await expect(driver.lookup({ ref: 'x', email: 'kim@harbour.example.co.nz' })).resolves.toEqual({ source: 'clay', found: false, note: 'queued' });
  });

  it('needs an email, LinkedIn URL or surname at a domain', async () => {
    await expect(driver.lookup({ ref: 'x', firstName: 'Kim' })).resolves.toMatchObject({ found: false });
    expect(clay.requests).toHaveLength(0);
  });

  it('fails permanently on bad auth, retryably on 429', async () => {
    const bad = new ClayEnrichment({ apiKey: 'nope', webhookId: CLAY_FAKE_WEBHOOK_ID, baseUrl: clay.url });
    await expect(bad.lookup({ ref: 'a', email: 'kim@harbour.example.co.nz' })).rejects.toMatchObject({ retryable: false, status: 401, source: 'clay' });
    clay.failNext(429);
    await expect(driver.lookup({ ref: 'a', email: 'kim@harbour.example.co.nz' })).rejects.toMatchObject({ retryable: true, status: 429 });
  });
});

describe('SandboxClayEnrichment', () => {
  it('finds nothing and records the lookup', async () => {
    const sandbox = new SandboxClayEnrichment();
    await expect(sandbox.lookup({ ref: '1', email: 'kim@harbour.example.co.nz' })).resolves.toEqual({ source: 'clay', found: false });
    expect(sandbox.lookups).toHaveLength(1);
  });
});

// The real Apify enrichment driver against a local fake of the synchronous actor run.
import { ApifyEnrichment, SandboxApifyEnrichment, apifyActorInput } from '../../src/integrations/apify/enrichment';
import { APIFY_FAKE_ACTOR, APIFY_FAKE_TOKEN, startApifyFake, type ApifyFake } from '../fakes/apify-fake';

let apify: ApifyFake;
let driver: ApifyEnrichment;

beforeAll(async () => {
  apify = await startApifyFake();
  driver = new ApifyEnrichment({ token: APIFY_FAKE_TOKEN, actor: 'agency-os/lead-signals', baseUrl: apify.url, timeoutSecs: 30 });
  apify.companies.set('acme.example.com', {
    name: 'Acme',
    industry: 'Software',
    employeeCount: 40,
    headcountGrowth6mPct: 15,
    openJobs: 3,
    jobTitles: ['Account Executive', 'SRE'],
    recentPosts: [{ postedAt: '2026-10-02T09:00:00Z', url: 'https://www.linkedin.com/posts/acme-1', text: 'We are hiring!' }],
  });
  apify.people.set('https://www.linkedin.com/in/jane-acme', {
    firstName: 'Jane',
    title: 'Head of Growth',
    roleStartedAt: '2026-06-01',
    country: 'Australia',
    recentPosts: [{ postedAt: '2026-11-01T00:00:00Z', text: 'New role!' }],
  });
});
afterAll(() => apify.close());
beforeEach(() => apify.reset());

describe('ApifyEnrichment', () => {
  it('runs the actor synchronously with the lead as input and maps company, person and signals', async () => {
    const r = await driver.lookup({ ref: 'lead-1', email: 'jane@acme.example.com', linkedinUrl: 'https://www.linkedin.com/in/jane-acme' });

    const req = apify.requests[0];
    expect(req.path).toBe(`/v2/acts/${APIFY_FAKE_ACTOR}/run-sync-get-dataset-items`);
    expect(req.query.get('timeout')).toBe('30');
    expect(req.headers.authorization).toBe(`Bearer ${APIFY_FAKE_TOKEN}`);
    expect(req.query.get('token')).toBeNull();
    expect(req.body).toEqual({ ref: 'lead-1', companyDomain: 'acme.example.com', personLinkedinUrl: 'https://www.linkedin.com/in/jane-acme', maxPosts: 5 });

    expect(r).toEqual({
      source: 'apify',
      found: true,
      person: {
        firstName: 'Jane',
        title: 'Head of Growth',
        linkedinUrl: 'https://www.linkedin.com/in/jane-acme',
        country: 'Australia',
        roleStartedAt: '2026-06-01T00:00:00.000Z',
      },
      company: { name: 'Acme', domain: 'acme.example.com', industry: 'Software', employees: 40 },
      signals: {
        hiring: true,
        openJobs: 3,
        jobTitles: ['Account Executive', 'SRE'],
        headcountGrowthPct: 15,
        recentPosts: [
          { postedAt: '2026-11-01T00:00:00.000Z', text: 'New role!' },
          { postedAt: '2026-10-02T09:00:00.000Z', url: 'https://www.linkedin.com/posts/acme-1', text: 'We are hiring!' },
        ],
      },
    });
  });

  it('ignores error items and reports not found when the actor finds nothing', async () => {
    await expect(driver.lookup({ ref: 'x', email: 'bob@unknown.example.org' })).resolves.toEqual({ source: 'apify', found: false });
    expect(apify.requests).toHaveLength(1);
  });

  it('does not run the actor without a work domain or LinkedIn URL', async () => {
    expect(apifyActorInput({ ref: 'x', email: 'bob@gmail.com' })).toBeNull();
    await expect(driver.lookup({ ref: 'x', email: 'bob@gmail.com' })).resolves.toMatchObject({ found: false });
    expect(apify.requests).toHaveLength(0);
  });

  it('fails permanently on a bad token or unknown actor, retryably on 5xx', async () => {
    const badToken = new ApifyEnrichment({ token: 'nope', actor: APIFY_FAKE_ACTOR, baseUrl: apify.url });
    await expect(badToken.lookup({ ref: 'a', email: 'jane@acme.example.com' })).rejects.toMatchObject({ retryable: false, status: 401 });
    const badActor = new ApifyEnrichment({ token: APIFY_FAKE_TOKEN, actor: 'someone~else', baseUrl: apify.url });
    await expect(badActor.lookup({ ref: 'a', email: 'jane@acme.example.com' })).rejects.toMatchObject({ retryable: false, status: 404 });
    apify.failNext(502);
    await expect(driver.lookup({ ref: 'a', email: 'jane@acme.example.com' })).rejects.toMatchObject({ retryable: true, status: 502 });
  });
});

describe('SandboxApifyEnrichment', () => {
  it('never finds signals it cannot see in the lead', async () => {
    const sandbox = new SandboxApifyEnrichment();
    await expect(sandbox.lookup({ ref: '1', email: 'jane@acme.example.com', linkedinUrl: 'https://www.linkedin.com/in/jane' })).resolves.toEqual({
      source: 'apify',
      found: false,
    });
    expect(sandbox.lookups).toHaveLength(1);
  });
});

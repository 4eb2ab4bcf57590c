// The real Apollo driver against a local fake of People Enrichment.
import { ApolloEnrichment, SandboxApolloEnrichment, apolloMatchParams } from '../../src/integrations/apollo/apollo';
import { EnrichmentProviderError } from '../../src/integrations/enrichment';
import { APOLLO_FAKE_KEY, apolloPerson, startApolloFake, type ApolloFake } from '../fakes/apollo-fake';

let apollo: ApolloFake;
let driver: ApolloEnrichment;

beforeAll(async () => {
  apollo = await startApolloFake();
  driver = new ApolloEnrichment({ apiKey: APOLLO_FAKE_KEY, baseUrl: apollo.url, timeoutMs: 2_000 });
  apollo.people.push(
    apolloPerson({
      email: 'jane@acme.example.com.au',
      firstName: 'Jane',
      lastName: 'Citizen',
      title: 'Founder & CEO',
      seniority: 'founder',
      linkedinUrl: 'http://www.linkedin.com/in/jane-citizen',
      phone: '+61412345678',
      city: 'Sydney',
      state: 'New South Wales',
      country: 'Australia',
      roleStartedAt: '2024-02-01',
      org: {
        name: 'Acme Plumbing',
        domain: 'acme.example.com.au',
        industry: 'construction',
        employees: 24,
        annualRevenue: 3_500_000,
        foundedYear: 2011,
        technologies: ['Hubspot', 'Xero'],
        fundingDates: ['2025-06-01', '2021-03-01'],
        headcountGrowth6m: 0.125,
      },
    }),
  );
});
afterAll(() => apollo.close());
beforeEach(() => apollo.reset());

describe('ApolloEnrichment', () => {
  it('matches by email with the API key header and maps person, organization and signals', async () => {
    const r = await driver.lookup({ ref: 'lead-1', email: 'Jane@Acme.example.com.au', firstName: 'Jane', lastName: 'Citizen' });

    const req = apollo.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/people/match');
    expect(req.headers['x-api-key']).toBe(APOLLO_FAKE_KEY);
    expect(req.query.get('email')).toBe('jane@acme.example.com.au');
    expect(req.query.get('domain')).toBe('acme.example.com.au');
    expect(req.query.get('reveal_phone_number')).toBe('false');

    expect(r).toEqual({
      source: 'apollo',
      found: true,
      person: {
        firstName: 'Jane',
        lastName: 'Citizen',
        title: 'Founder & CEO',
        seniority: 'founder',
        linkedinUrl: 'http://www.linkedin.com/in/jane-citizen',
        phone: '+61412345678',
        emailStatus: 'valid',
        city: 'Sydney',
        state: 'New South Wales',
        country: 'Australia',
        roleStartedAt: '2024-02-01T00:00:00.000Z',
      },
      company: {
        name: 'Acme Plumbing',
        domain: 'acme.example.com.au',
        industry: 'construction',
        employees: 24,
        annualRevenue: 3_500_000,
        foundedYear: 2011,
        technologies: ['Hubspot', 'Xero'],
        linkedinUrl: 'http://www.linkedin.com/company/acme',
        city: 'Sydney',
        state: 'New South Wales',
        country: 'Australia',
      },
      signals: {
        lastFundingAt: '2025-06-01T00:00:00.000Z',
        fundingEvents: [
          { date: '2025-06-01T00:00:00.000Z', type: 'Series A', amount: '5M' },
          { date: '2021-03-01T00:00:00.000Z', type: 'Seed', amount: '5M' },
        ],
        headcountGrowthPct: 12.5,
      },
    });
  });

  it('matches by name and company domain when there is no email', async () => {
    const r = await driver.lookup({ ref: 'lead-2', firstName: 'Jane', lastName: 'Citizen', companyDomain: 'https://www.acme.example.com.au/' });
    expect(apollo.requests[0].query.get('domain')).toBe('acme.example.com.au');
    expect(r.found).toBe(true);
    // Apollo's email status speaks for Apollo's address, not for one the lead does not have.
    expect(r.person?.emailStatus).toBeUndefined();
  });

  it('reports not found for an unknown person, and does not call Apollo with too little to match', async () => {
    await expect(driver.lookup({ ref: 'x', email: 'nobody@unknown.example' })).resolves.toEqual({ source: 'apollo', found: false });
    expect(apolloMatchParams({ ref: 'y', firstName: 'Only' })).toBeNull();
    await expect(driver.lookup({ ref: 'y', firstName: 'Only', lastName: 'Name' })).resolves.toMatchObject({ found: false });
    expect(apollo.requests).toHaveLength(1);
  });

  it('fails retryably on 429 and 5xx, permanently on a bad key, never echoing the key', async () => {
    apollo.failNext(429, { error: 'rate limited' });
    await expect(driver.lookup({ ref: 'a', email: 'jane@acme.example.com.au' })).rejects.toMatchObject({ retryable: true, status: 429 });
    apollo.failNext(503);
    await expect(driver.lookup({ ref: 'a', email: 'jane@acme.example.com.au' })).rejects.toMatchObject({ retryable: true });
    const bad = new ApolloEnrichment({ apiKey: 'wrong-key', baseUrl: apollo.url });
    const err = (await bad.lookup({ ref: 'a', email: 'jane@acme.example.com.au' }).catch((e: unknown) => e)) as EnrichmentProviderError;
    expect(err).toBeInstanceOf(EnrichmentProviderError);
    expect(err).toMatchObject({ retryable: false, status: 401, source: 'apollo' });
    expect(err.message).toContain('Invalid access credentials');
    expect(err.message).not.toContain('wrong-key');
  });

  it('treats a dropped connection as a retryable network error', async () => {
    apollo.dropNext();
    await expect(driver.lookup({ ref: 'a', email: 'jane@acme.example.com.au' })).rejects.toMatchObject({ retryable: true, source: 'apollo' });
  });
});

describe('SandboxApolloEnrichment', () => {
  it('derives only the work domain and a country-code country, marked as derived, and invents no one', async () => {
    const sandbox = new SandboxApolloEnrichment();
    await expect(sandbox.lookup({ ref: '1', email: 'sam@brightsmile.example.com.au', firstName: 'Sam' })).resolves.toEqual({
      source: 'apollo',
      found: false,
      company: { domain: 'brightsmile.example.com.au', country: 'AU' },
      derived: [
        { field: 'company.domain', from: 'email' },
        { field: 'company.country', from: 'email' },
      ],
    });
    // A free-mail address says nothing about an employer.
    await expect(sandbox.lookup({ ref: '2', email: 'sam@gmail.com', firstName: 'Sam', lastName: 'Lee' })).resolves.toEqual({ source: 'apollo', found: false });
    expect(sandbox.lookups.map((l) => l.ref)).toEqual(['1', '2']);
  });
});

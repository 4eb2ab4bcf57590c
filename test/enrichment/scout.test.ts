// The Scout waterfall against a real database (the enrichment cache) with in-process drivers.
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { CACHE_TTL_DAYS, cacheKeyFor, clayCap, leadColumnUpdate, runWaterfall, toLeadFacts, type LeadEnrichment } from '../../src/engines/scout';
import { scoreLead, DEFAULT_ICP } from '../../src/engines/scorer';
import { SandboxApolloEnrichment } from '../../src/integrations/apollo/apollo';
import { SandboxApifyEnrichment } from '../../src/integrations/apify/enrichment';
import { SandboxClayEnrichment } from '../../src/integrations/clay/clay';
import { EnrichmentProviderError } from '../../src/integrations/enrichment';
import { scoutLead, stubDrivers } from './stub-drivers';

let database: TestDatabase;
const now = new Date('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());
beforeEach(() => database.db.enrichmentCache.deleteMany());

const apolloJane = () => ({
  found: true,
  person: {
    title: 'Founder',
    phone: '+61412345678',
    linkedinUrl: 'https://www.linkedin.com/in/jane',
    emailStatus: 'valid' as const,
    country: 'Australia',
    state: 'New South Wales',
    city: 'Sydney',
  },
  company: { name: 'Acme', domain: 'acme.com', industry: 'Software', employees: 30 },
  signals: { headcountGrowthPct: 5, lastFundingAt: '2026-06-01T00:00:00.000Z' },
});

describe('waterfall order and merge', () => {
  it('asks Apollo and Apify in parallel, merges by precedence, then Clay only for gaps', async () => {
    const { drivers, log } = stubDrivers({
      apollo: apolloJane,
      apify: () => ({
        found: true,
        person: { title: 'Chief Everything Officer', roleStartedAt: '2026-09-01T00:00:00.000Z' },
        company: { name: 'Acme Pty Ltd', employees: 32 },
        signals: { hiring: true, openJobs: 4, headcountGrowthPct: 20 },
      }),
    });
    const lead = scoutLead({ id: 'jane', email: 'jane@acme.com', firstName: 'Jane', lastName: 'Doe' });
    const [r] = await runWaterfall(database.db, drivers, [lead], { now });

    expect(log.slice(0, 2).sort()).toEqual(['start apify jane', 'start apollo jane']);
    expect(drivers.clay.calls).toHaveLength(0); // batch of 1: the 15% cap is 0
    expect(r).toMatchObject({ status: 'enriched', fromCache: false, cacheKey: 'v1:person:email:jane@acme.com', clay: 'not_needed' });
    const e = (r as { enrichment: LeadEnrichment }).enrichment;
    // People and firmographics: Apollo first; signals: Apify first; gaps filled by the other.
    expect(e.person.title).toBe('Founder');
    expect(e.person.roleStartedAt).toBe('2026-09-01T00:00:00.000Z');
    expect(e.company).toMatchObject({ name: 'Acme', employees: 30 });
    expect(e.signals).toMatchObject({ hiring: true, openJobs: 4, headcountGrowthPct: 20, lastFundingAt: '2026-06-01T00:00:00.000Z' });
    expect(e.fieldSources).toMatchObject({
      'person.title': 'apollo',
      'person.roleStartedAt': 'apify',
      'signals.headcountGrowthPct': 'apify',
      'signals.lastFundingAt': 'apollo',
    });
    expect(e.sources).toEqual(['apollo', 'apify']);
    expect(e.lookedUp).toEqual(['apollo', 'apify']);
  });

  it('sends Clay a lead still missing key fields after tier 1, and Clay only fills gaps', async () => {
    const { drivers, log } = stubDrivers({
      apollo: (i) => (i.ref === 'l0' ? { found: true, person: { title: 'Owner' }, company: { name: 'Tiny Co' } } : { found: false }),
      clay: () => ({ found: true, person: { title: 'Clay Title', phone: '+61400000000' }, company: { industry: 'Dental', employees: 8 } }),
    });
    const leads = Array.from({ length: 7 }, (_, i) => scoutLead({ id: `l${i}`, email: `p${i}@tiny${i}.example` }));
    const results = await runWaterfall(database.db, drivers, leads, { now });
    expect(clayCap(7)).toBe(1);
    expect(drivers.clay.calls).toHaveLength(1);
    // Clay comes after both tier-1 providers answered for that lead.
    const clayRef = drivers.clay.calls[0].ref;
    expect(log.indexOf(`start clay ${clayRef}`)).toBeGreaterThan(log.indexOf(`end apollo ${clayRef}`));
    expect(log.indexOf(`start clay ${clayRef}`)).toBeGreaterThan(log.indexOf(`end apify ${clayRef}`));
    // l0 has a title and company name already, so another lead gains more from Clay.
    expect(clayRef).not.toBe('l0');
    const used = results.find((r) => r.leadId === clayRef) as { enrichment: LeadEnrichment; clay: string };
    expect(used.clay).toBe('used');
    expect(used.enrichment.person).toMatchObject({ title: 'Clay Title', phone: '+61400000000' });
    expect(used.enrichment.sources).toEqual(['clay']);
    expect(used.enrichment.lookedUp).toEqual(['apollo', 'apify', 'clay']);
    expect(results.filter((r) => r.status === 'enriched' && r.clay === 'capped')).toHaveLength(6);
  });
});

describe('Clay cap', () => {
  it('sends at most 15% of a batch of 20 (3 leads), the ones that benefit most', async () => {
    // Everyone lacks something; leads 5, 11 and 17 lack the most (nothing at all), the rest have a title.
    const bare = new Set(['c5', 'c11', 'c17']);
    const leads = Array.from({ length: 20 }, (_, i) =>
      scoutLead({ id: `c${i}`, email: `p${i}@firm${i}.example`, ...(bare.has(`c${i}`) ? {} : { title: 'Director', companyName: `Firm ${i}` }) }),
    );
    const { drivers } = stubDrivers({ clay: () => ({ found: true, company: { industry: 'Legal' } }) });
    const results = await runWaterfall(database.db, drivers, leads, { now });
    expect(drivers.clay.calls.map((c) => c.ref).sort()).toEqual(['c11', 'c17', 'c5']);
    expect(results.filter((r) => r.status === 'enriched' && r.clay === 'used')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'enriched' && r.clay === 'capped')).toHaveLength(17);
  });

  it('rounds down: batches under 7 never reach Clay, 20 → 3, 50 → 7', async () => {
    expect([1, 6, 7, 20, 50, 100].map(clayCap)).toEqual([0, 0, 1, 3, 7, 15]);
    const { drivers } = stubDrivers({});
    await runWaterfall(
      database.db,
      drivers,
      Array.from({ length: 6 }, (_, i) => scoutLead({ email: `x${i}@y${i}.example` })),
      { now },
    );
    expect(drivers.clay.calls).toHaveLength(0);
  });
});

describe('cache', () => {
  it('writes a 90-day entry on a miss and serves the next run from it without provider calls', async () => {
    const first = stubDrivers({ apollo: apolloJane });
    const lead = scoutLead({ id: 'c-jane', email: 'Jane@Acme.com ' });
    await runWaterfall(database.db, first.drivers, [lead], { now });
    const row = await database.db.enrichmentCache.findUniqueOrThrow({ where: { key: 'v1:person:email:jane@acme.com' } });
    expect(row.source).toBe('apollo');
    expect(row.expiresAt.getTime()).toBe(now.getTime() + CACHE_TTL_DAYS * DAY);

    const second = stubDrivers({ apollo: () => new Error('must not be called') });
    const [r] = await runWaterfall(database.db, second.drivers, [lead], { now: new Date(now.getTime() + 89 * DAY) });
    expect(second.log).toEqual([]);
    expect(r).toMatchObject({ status: 'enriched', fromCache: true });
    expect((r as { enrichment: LeadEnrichment }).enrichment.person.title).toBe('Founder');
  });

  it('ignores an expired entry and refreshes it', async () => {
    const key = 'v1:person:email:old@acme.com';
    await database.db.enrichmentCache.create({
      data: {
        key,
        source: 'apollo',
        data: {
          version: 1,
          person: { title: 'Stale' },
          company: {},
          signals: {},
          sources: ['apollo'],
          fieldSources: {},
          lookedUp: ['apollo'],
          fetchedAt: '2026-01-01T00:00:00.000Z',
        },
        expiresAt: new Date(now.getTime() - 1),
      },
    });
    const { drivers } = stubDrivers({ apollo: () => ({ found: true, person: { title: 'Fresh' } }) });
    const [r] = await runWaterfall(database.db, drivers, [scoutLead({ email: 'old@acme.com' })], { now });
    expect(drivers.apollo.calls).toHaveLength(1);
    expect(r).toMatchObject({ fromCache: false });
    const row = await database.db.enrichmentCache.findUniqueOrThrow({ where: { key } });
    expect((row.data as { person: { title: string } }).person.title).toBe('Fresh');
    expect(row.expiresAt.getTime()).toBe(now.getTime() + CACHE_TTL_DAYS * DAY);
  });

  it('keys by email, else LinkedIn profile, else name at a work domain; nothing otherwise', () => {
    expect(cacheKeyFor({ email: 'A@B.co', linkedinUrl: null, firstName: null, lastName: null, companyDomain: null })).toBe('v1:person:email:a@b.co');
    expect(cacheKeyFor({ email: null, linkedinUrl: 'https://au.linkedin.com/in/Jane-Doe/?trk=x', firstName: null, lastName: null, companyDomain: null })).toBe(
      'v1:person:linkedin:linkedin.com/in/jane-doe',
    );
    expect(cacheKeyFor({ email: null, linkedinUrl: null, firstName: 'Jane', lastName: 'Van  Doe', companyDomain: 'www.Acme.com' })).toBe(
      'v1:person:name:jane van doe@acme.com',
    );
    expect(cacheKeyFor({ email: null, linkedinUrl: null, firstName: 'Jane', lastName: null, companyDomain: 'acme.com' })).toBeNull();
  });

  it('looks up leads that share a key once', async () => {
    const { drivers } = stubDrivers({ apollo: apolloJane });
    const results = await runWaterfall(
      database.db,
      drivers,
      [scoutLead({ linkedinUrl: 'https://www.linkedin.com/in/jane' }), scoutLead({ linkedinUrl: 'http://linkedin.com/in/JANE/' })],
      { now },
    );
    expect(drivers.apollo.calls).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(['enriched', 'enriched']);
  });
});

describe('failures', () => {
  it('fails only the lead whose provider failed, and caches nothing for it', async () => {
    const { drivers } = stubDrivers({
      apify: (i) => (i.ref === 'bad' ? new EnrichmentProviderError('apify', 'HTTP 503: busy', true, 503) : { found: false }),
    });
    const results = await runWaterfall(
      database.db,
      drivers,
      [scoutLead({ id: 'bad', email: 'a@bad.example' }), scoutLead({ id: 'good', email: 'b@good.example' })],
      { now },
    );
    expect(results[0]).toEqual({
      leadId: 'bad',
      status: 'failed',
      cacheKey: 'v1:person:email:a@bad.example',
      errors: [{ source: 'apify', message: 'apify: HTTP 503: busy', retryable: true }],
    });
    expect(results[1].status).toBe('enriched');
    expect(await database.db.enrichmentCache.count({ where: { key: 'v1:person:email:a@bad.example' } })).toBe(0);
    expect(await database.db.enrichmentCache.count({ where: { key: 'v1:person:email:b@good.example' } })).toBe(1);
  });
});

describe('sandbox drivers', () => {
  it('never invent people, titles or phones; only derived company facts, marked as such', async () => {
    const drivers = { apollo: new SandboxApolloEnrichment(), apify: new SandboxApifyEnrichment(), clay: new SandboxClayEnrichment() };
    const leads = [
      scoutLead({ id: 's1', email: 'kim@harbour.example.co.nz', firstName: 'Kim', lastName: 'Hale' }),
      scoutLead({ id: 's2', email: 'sam@gmail.com', firstName: 'Sam', lastName: 'Lee' }),
      scoutLead({ id: 's3', phone: '+61412000000' }),
      ...Array.from({ length: 17 }, (_, i) => scoutLead({ email: `p${i}@company${i}.example` })),
    ];
    const results = await runWaterfall(database.db, drivers, leads, { now });
    for (const r of results) {
      expect(r.status).toBe('enriched');
      const e = (r as { enrichment: LeadEnrichment }).enrichment;
      expect(e.person).toEqual({});
      expect(e.signals).toEqual({});
      expect(Object.keys(e.company).every((k) => k === 'domain' || k === 'country')).toBe(true);
      expect(e.sources.every((s) => s === 'derived')).toBe(true);
    }
    const [kim, sam, phoneOnly] = results as { enrichment: LeadEnrichment }[];
    expect(kim.enrichment.company).toEqual({ domain: 'harbour.example.co.nz', country: 'NZ' });
    expect(kim.enrichment.fieldSources).toEqual({ 'company.domain': 'derived', 'company.country': 'derived' });
    // A .co.nz domain needs a New Zealand presence, so the company's country (and its zone) follow.
    expect(leadColumnUpdate(leads[0], kim.enrichment)).toEqual({ companyDomain: 'harbour.example.co.nz', country: 'NZ', timeZone: 'Pacific/Auckland' });
    expect(sam.enrichment.company).toEqual({});
    expect(phoneOnly.enrichment.sources).toEqual([]);
    // The sandbox Clay driver is asked within the cap (3 of 20) and adds nothing.
    expect(drivers.clay.lookups).toHaveLength(3);
  });
});

describe('mapping to lead columns and scorer input', () => {
  const enrichment: LeadEnrichment = {
    version: 1,
    person: {
      title: 'Head of Growth',
      phone: '+61412345678',
      linkedinUrl: 'https://www.linkedin.com/in/jane',
      emailStatus: 'valid',
      country: 'Australia',
      state: 'Victoria',
      city: 'Melbourne',
      roleStartedAt: '2026-09-01T00:00:00.000Z',
    },
    company: {
      name: 'Acme',
      domain: 'acme.com',
      industry: 'Software',
      employees: 30.4,
      annualRevenue: 2_000_000,
      country: 'United States',
      state: 'California',
    },
    signals: { hiring: true, lastFundingAt: '2026-05-01T00:00:00.000Z' },
    sources: ['apollo'],
    fieldSources: {},
    lookedUp: ['apollo', 'apify'],
    fetchedAt: now.toISOString(),
  };

  it('fills empty columns only, with location from one record and the zone from AU state', () => {
    const lead = scoutLead({ email: 'jane@acme.com', title: 'Growth Lead (imported)', companyName: null });
    expect(leadColumnUpdate(lead, enrichment)).toEqual({
      phone: '+61412345678',
      linkedinUrl: 'https://www.linkedin.com/in/jane',
      companyName: 'Acme',
      companyDomain: 'acme.com',
      companyIndustry: 'Software',
      companySize: 30,
      companyRevenue: '2000000',
      country: 'AU',
      state: 'VIC',
      city: 'Melbourne',
      timeZone: 'Australia/Melbourne',
    });
  });

  it("keeps the lead's country and only takes a location that agrees with it", () => {
    const lead = scoutLead({ email: 'jane@acme.com', country: 'US' });
    expect(leadColumnUpdate(lead, enrichment)).toMatchObject({ state: 'CA', timeZone: 'America/Los_Angeles' });
    const nz = scoutLead({ email: 'jane@acme.com', country: 'NZ' });
    const update = leadColumnUpdate(nz, enrichment);
    expect(update.state).toBeUndefined();
    expect(update.timeZone).toBe('Pacific/Auckland');
    const auNoState = leadColumnUpdate(scoutLead({ country: 'AU' }), { ...enrichment, person: {}, company: {} });
    expect(auNoState.timeZone).toBeUndefined();
  });

  it('feeds the scorer signals as dates and the verified email status', () => {
    const lead = { ...scoutLead({ email: 'jane@acme.com' }), ...leadColumnUpdate(scoutLead({ email: 'jane@acme.com' }), enrichment) };
    const facts = toLeadFacts(lead, enrichment);
    expect(facts.signals?.roleStartedAt).toEqual(new Date('2026-09-01T00:00:00.000Z'));
    expect(facts.emailStatus).toBe('valid');
    const als = scoreLead(facts, DEFAULT_ICP, null, now);
    expect(als.components.timing).toBe(6 + 5 + 4);
    expect(als.components.dataQuality).toBe(8 + 6 + 4 + 2);
  });
});

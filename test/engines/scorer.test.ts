import { ZodError } from 'zod';
import {
  COMPONENT_MAX,
  DEFAULT_WEIGHTS,
  parseAlsWeights,
  parseSizeRange,
  scoreLead,
  tierFor,
  type AlsTier,
  type IcpProfile,
  type LeadFacts,
} from '../../src/engines/scorer';

const NOW = new Date('2026-03-10T00:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number): Date => new Date(NOW.getTime() - n * DAY);

const ICP: IcpProfile = {
  industries: ['Software', 'Marketing & Advertising'],
  companySizes: ['11-50', '51-200'],
  titles: ['Marketing Manager', 'CEO'],
  locations: ['AU', 'NZ'],
  excludedDomains: ['rival.com.au'],
};

/** Maximum on every component, no risk: 20 + 25 + 25 + 15 + (15 − 0) = 100. */
const PERFECT: LeadFacts = {
  email: 'jane.doe@acme.com.au',
  emailStatus: 'valid',
  firstName: 'Jane',
  lastName: 'Doe',
  title: 'CEO',
  phone: '+61 412 345 678',
  linkedinUrl: 'https://www.linkedin.com/in/janedoe',
  companyName: 'Acme',
  companyDomain: 'acme.com.au',
  companyIndustry: 'Computer Software',
  companySize: 30,
  country: 'AU',
  state: 'NSW',
  signals: { roleStartedAt: daysAgo(60), hiring: true, lastFundingAt: daysAgo(200) },
};

const score = (facts: LeadFacts, icp: IcpProfile = ICP, weights?: Parameters<typeof scoreLead>[2]) => scoreLead(facts, icp, weights, NOW);

describe('tierFor', () => {
  it.each<[number, AlsTier]>([
    [0, 'dead'],
    [19, 'dead'],
    [20, 'cold'],
    [34, 'cold'],
    [35, 'cool'],
    [59, 'cool'],
    [60, 'warm'],
    [84, 'warm'],
    [85, 'hot'],
    [100, 'hot'],
  ])('%i → %s', (s, tier) => {
    expect(tierFor(s)).toBe(tier);
  });

  it('floors fractions and clamps out-of-range scores', () => {
    expect(tierFor(84.99)).toBe('warm');
    expect(tierFor(19.5)).toBe('dead');
    expect(tierFor(-7)).toBe('dead');
    expect(tierFor(140)).toBe('hot');
  });

  it('rejects NaN', () => {
    expect(() => tierFor(Number.NaN)).toThrow(RangeError);
  });
});

describe('scoreLead: totals', () => {
  it('scores a perfect, riskless lead 100 (hot) with every component at its maximum', () => {
    const r = score(PERFECT);
    expect(r.components).toEqual({ dataQuality: 20, authority: 25, companyFit: 25, timing: 15, risk: 0 });
    expect(r.score).toBe(100);
    expect(r.tier).toBe('hot');
    expect(r.disqualified).toBe(false);
  });

  it('scores an unknown lead with maximum risk 0 (dead) with every component at its minimum', () => {
    const r = score({ email: 'x@mailinator.com', emailStatus: 'invalid', bouncedBefore: true });
    expect(r.components).toEqual({ dataQuality: 0, authority: 0, companyFit: 0, timing: 0, risk: 15 });
    expect(r.score).toBe(0);
    expect(r.tier).toBe('dead');
  });

  it('keeps the 15-point clean-record allowance for a lead with no data and no risk', () => {
    const r = score({});
    expect(r.components).toEqual({ dataQuality: 0, authority: 0, companyFit: 0, timing: 0, risk: 0 });
    expect(r.score).toBe(15);
  });

  it('is dq + authority + fit + timing + (15 − risk), and the tier follows the score', () => {
    const facts: LeadFacts = { ...PERFECT, title: 'Director of Sales', signals: null, email: 'info@acme.com.au' };
    const r = score(facts);
    const c = r.components;
    expect(r.score).toBe(c.dataQuality + c.authority + c.companyFit + c.timing + (15 - c.risk));
    // info@ loses the personal-address point (18) and costs 4; director 15; no timing.
    expect(c).toEqual({ dataQuality: 18, authority: 15, companyFit: 25, timing: 0, risk: 4 });
    expect(r.score).toBe(69);
    expect(r.tier).toBe('warm');
  });

  it('is deterministic for the same inputs and measures recency against `now`', () => {
    expect(score(PERFECT)).toEqual(score(PERFECT));
    const later = scoreLead(PERFECT, ICP, undefined, new Date(NOW.getTime() + 400 * DAY));
    expect(later.components.timing).toBe(5); // only "hiring" is still true
  });

  it('explains every point with a reason', () => {
    const r = score(PERFECT);
    expect(r.reasons).toEqual(
      expect.arrayContaining([
        'dataQuality +8: email valid',
        'dataQuality +6: phone number',
        'dataQuality +4: LinkedIn profile',
        'dataQuality +2: personal work address',
        'authority +25: owner/founder/CEO-level title',
        'companyFit +10: industry matches ICP "Software"',
        'companyFit +8: 30 employees within ICP range',
        'companyFit +7: location matches ICP "AU"',
        'timing +6: new in role (< 6 months)',
        'timing +5: company is hiring',
        'timing +4: funded in the last 12 months',
      ]),
    );
    const risky = score({ ...PERFECT, email: 'sales@gmail.com', emailStatus: 'catch_all' });
    expect(risky.reasons).toEqual(
      expect.arrayContaining(['risk -4: role-based address (shared inbox)', 'risk -3: free-mail address', 'risk -2: catch-all domain']),
    );
  });
});

describe('scoreLead: data quality (max 20)', () => {
  const dq = (facts: LeadFacts) => score(facts).components.dataQuality;

  it.each<[string, LeadFacts, number]>([
    ['nothing', {}, 0],
    ['everything', PERFECT, 20],
    ['valid named work address only', { email: 'a.b@acme.com', emailStatus: 'valid' }, 10],
    ['catch-all address', { email: 'a.b@acme.com', emailStatus: 'catch_all' }, 7],
    ['unverified address', { email: 'a.b@acme.com' }, 5],
    ['invalid address', { email: 'a.b@acme.com', emailStatus: 'invalid' }, 0],
    ['malformed address', { email: 'not an email', emailStatus: 'valid' }, 0],
    ['role-based address', { email: 'info@acme.com', emailStatus: 'valid' }, 8],
    ['free-mail address', { email: 'jane@gmail.com', emailStatus: 'valid' }, 8],
    ['phone', { phone: '(02) 9876 5432' }, 6],
    ['too short to be a phone', { phone: '12345' }, 0],
    ['LinkedIn profile', { linkedinUrl: 'linkedin.com/in/jane' }, 4],
    ['LinkedIn company page', { linkedinUrl: 'https://linkedin.com/company/acme' }, 0],
  ])('%s', (_label, facts, expected) => {
    expect(dq(facts)).toBe(expected);
  });

  it('lets a verifier flag override the built-in lists', () => {
    expect(dq({ email: 'jane@acme.com', emailStatus: 'valid', freeMailDomain: true })).toBe(8);
    expect(dq({ email: 'jane@gmail.com', emailStatus: 'valid', freeMailDomain: false })).toBe(10);
  });
});

describe('scoreLead: authority (max 25)', () => {
  const authority = (title: string | null, titles: string[] = []) => score({ title }, { ...ICP, titles }).components.authority;

  it.each<[string | null, number]>([
    [null, 0],
    ['', 0],
    ['CEO', 25],
    ['Founder & CEO', 25],
    ['Co-Founder', 25],
    ['Owner', 25],
    ['Managing Director', 25],
    ['President', 25],
    ['Chief Marketing Officer', 22],
    ['CFO', 22],
    ['Managing Partner', 22],
    ['Executive Director', 22],
    ['Vice President, Sales', 18],
    ['Senior Vice-President', 18],
    ['Head of Growth', 18],
    ['Director of Marketing', 15],
    ['General Manager', 10],
    ['Senior Account Manager', 10],
    ['Marketing Manager', 7],
    ['Partner Manager', 7],
    ['Product Owner', 3],
    ['Executive Assistant to the CEO', 3],
    ['Marketing Intern', 3],
    ['Software Engineer', 3],
  ])('%p → %i', (title, expected) => {
    expect(authority(title)).toBe(expected);
  });

  it('adds 3 for an ICP title, capped at 25', () => {
    expect(authority('Senior Marketing Manager', ['Marketing Manager'])).toBe(13);
    expect(authority('Marketing Manager', ['marketing manager'])).toBe(10);
    expect(authority('Chief Executive Officer', ['CEO'])).toBe(25);
    expect(authority('VP Marketing', ['Vice President'])).toBe(21);
    expect(authority('Manager', ['Marketing Manager'])).toBe(7); // the ICP title must be contained in the lead's
  });
});

describe('scoreLead: company fit (max 25)', () => {
  const fit = (facts: LeadFacts, icp: Partial<IcpProfile> = {}) => score(facts, { ...ICP, ...icp }).components.companyFit;

  it('is 0 when nothing matches and 25 when everything does', () => {
    expect(fit({ companyIndustry: 'Mining', companySize: 5000, country: 'US' })).toBe(0);
    expect(fit({ companyIndustry: 'Software', companySize: 11, country: 'New Zealand' })).toBe(25);
  });

  it('gives half the points per dimension when the ICP has no preference', () => {
    const empty: IcpProfile = { industries: [], companySizes: [], titles: [], locations: [] };
    expect(score({}, empty).components.companyFit).toBe(5 + 4 + 3);
    expect(fit({}, { companySizes: ['lots'] })).toBe(4); // unparseable ranges count as no preference
  });

  it('gives half the size points for a near miss (half to double the range)', () => {
    expect(fit({ companySize: 400 }, { companySizes: ['11-200'] })).toBe(4);
    expect(fit({ companySize: 401 }, { companySizes: ['11-200'] })).toBe(0);
    expect(fit({ companySize: 5 }, { companySizes: ['11-200'] })).toBe(4);
    expect(fit({ companySize: 4 }, { companySizes: ['11-200'] })).toBe(0);
    expect(fit({ companySize: 10_000 }, { companySizes: ['1000+'] })).toBe(8);
  });

  it.each<[string, LeadFacts, number]>([
    ['"Software" in "Computer Software"', { companyIndustry: 'Computer Software' }, 10],
    ['"Marketing & Advertising" vs "marketing and advertising"', { companyIndustry: 'marketing and advertising' }, 10],
    ['"Services" alone is not an industry match', { companyIndustry: 'Services' }, 0],
    ['unknown industry', {}, 0],
  ])('industry: %s', (_label, facts, expected) => {
    expect(fit(facts, { companySizes: ['1'], locations: ['XX'] })).toBe(expected);
  });

  it.each<[string, LeadFacts, number]>([
    ['AU-NSW', { country: 'AU', state: 'NSW' }, 7],
    ['AU-NSW', { country: 'AU', state: 'Victoria' }, 0],
    ['ANZ', { country: 'NZ' }, 7],
    ['WA', { country: 'Australia', state: 'Western Australia' }, 7],
    ['WA', { country: 'US', state: 'WA' }, 0],
    ['Sydney', { country: 'AU', city: 'Sydney' }, 7],
    ['AU', {}, 0],
  ])('location: ICP %p vs %p → %i', (entry, facts, expected) => {
    expect(fit(facts, { industries: ['Nothing'], companySizes: ['1'], locations: [entry] })).toBe(expected);
  });
});

describe('scoreLead: timing (max 15)', () => {
  const timing = (signals: LeadFacts['signals']) => score({ signals }).components.timing;

  it.each<[string, LeadFacts['signals'], number]>([
    ['no signals', null, 0],
    ['new in role', { roleStartedAt: daysAgo(30) }, 6],
    ['in role for a year', { roleStartedAt: daysAgo(365) }, 0],
    ['hiring', { hiring: true }, 5],
    ['open jobs', { openJobs: 3 }, 5],
    ['funded 11 months ago', { lastFundingAt: daysAgo(330) }, 4],
    ['funded 2 years ago', { lastFundingAt: daysAgo(730) }, 0],
    ['tech adoption', { techAdoptedAt: daysAgo(10) }, 3],
    ['headcount growth', { headcountGrowthPct: 12 }, 3],
    ['a date in the future', { roleStartedAt: new Date(NOW.getTime() + 30 * DAY) }, 0],
    ['role + hiring + funding', { roleStartedAt: daysAgo(1), hiring: true, lastFundingAt: daysAgo(1) }, 15],
    [
      'every signal (21) is capped',
      { roleStartedAt: daysAgo(1), hiring: true, lastFundingAt: daysAgo(1), techAdoptedAt: daysAgo(1), headcountGrowthPct: 50 },
      15,
    ],
  ])('%s', (_label, signals, expected) => {
    expect(timing(signals)).toBe(expected);
  });
});

describe('scoreLead: risk (max 15 deductions)', () => {
  const base: LeadFacts = { ...PERFECT };

  it.each<[string, LeadFacts, number]>([
    ['clean', {}, 0],
    ['bounced before', { bouncedBefore: true }, 10],
    ['email failed verification', { emailStatus: 'invalid' }, 8],
    ['disposable domain', { email: 'jane@mailinator.com' }, 8],
    ['role-based address', { email: 'info@acme.com.au' }, 4],
    ['role-based with a suffix', { email: 'sales-team@acme.com.au' }, 4],
    ['free-mail address', { email: 'jane@gmail.com' }, 3],
    ['catch-all domain', { emailStatus: 'catch_all' }, 2],
    ['non-buyer title', { title: 'Student' }, 5],
    ['bounced + disposable is capped', { bouncedBefore: true, email: 'x@mailinator.com' }, 15],
  ])('%s', (_label, extra, expected) => {
    expect(score({ ...base, ...extra }).components.risk).toBe(expected);
  });

  it.each<[string, LeadFacts, IcpProfile]>([
    ['unsubscribed before', { unsubscribedBefore: true }, ICP],
    ['complained before', { complainedBefore: true }, ICP],
    ['flagged competitor', { isCompetitor: true }, ICP],
    ['excluded company domain', { companyDomain: 'www.Rival.com.au' }, ICP],
    ['excluded email domain', { email: 'ceo@rival.com.au' }, ICP],
  ])('%s disqualifies: capped at 19 (dead)', (_label, extra, icp) => {
    const r = score({ ...base, ...extra }, icp);
    expect(r.disqualified).toBe(true);
    expect(r.components.risk).toBe(15);
    expect(r.score).toBe(19);
    expect(r.tier).toBe('dead');
    expect(r.reasons).toContain('score capped at 19: disqualified');
  });

  it('does not raise an already low disqualified score', () => {
    expect(score({ unsubscribedBefore: true }).score).toBe(0);
  });
});

describe('scoreLead: weights', () => {
  it('defaults every weight to 1', () => {
    expect(DEFAULT_WEIGHTS).toEqual({ dataQuality: 1, authority: 1, companyFit: 1, timing: 1, risk: 1 });
    expect(parseAlsWeights(null)).toEqual(DEFAULT_WEIGHTS);
    expect(parseAlsWeights({ timing: 1.5 })).toEqual({ ...DEFAULT_WEIGHTS, timing: 1.5 });
    expect(score(PERFECT, ICP, {})).toEqual(score(PERFECT, ICP, undefined));
  });

  it('scales a component and records why', () => {
    const director = { ...PERFECT, title: 'Director' }; // authority 15
    const r = score(director, ICP, { authority: 1.5 });
    expect(r.components.authority).toBe(23); // 22.5 rounds up
    expect(r.reasons).toContain('authority ×1.5: 15 → 23');
    expect(score(director, ICP, { authority: 0.5 }).components.authority).toBe(8);
    expect(score(director, ICP, { authority: 0 }).components.authority).toBe(0);
  });

  it('never lifts a component beyond its maximum', () => {
    const r = score({ ...PERFECT, title: 'Director' }, ICP, { authority: 2 });
    expect(r.components.authority).toBe(COMPONENT_MAX.authority);
    expect(r.reasons).toContain('authority ×2: 15 → 25 (capped at 25)');
    const maxed = score(PERFECT, ICP, { dataQuality: 5, authority: 5, companyFit: 5, timing: 5 });
    expect(maxed.components).toEqual({ dataQuality: 20, authority: 25, companyFit: 25, timing: 15, risk: 0 });
    expect(maxed.score).toBe(100);
  });

  it('scales risk deductions too, still capped at 15', () => {
    const roleBased = { ...PERFECT, email: 'info@acme.com.au' }; // risk 4
    expect(score(roleBased, ICP, { risk: 2 }).components.risk).toBe(8);
    expect(score({ ...roleBased, bouncedBefore: true }, ICP, { risk: 3 }).components.risk).toBe(15);
    expect(score(roleBased, ICP, { risk: 0 }).components.risk).toBe(0);
  });

  it.each<[string, unknown]>([
    ['negative', { timing: -1 }],
    ['too large', { authority: 6 }],
    ['not a number', { risk: 'high' }],
    ['NaN', { risk: Number.NaN }],
    ['unknown component', { charisma: 2 }],
  ])('rejects %s weights', (_label, weights) => {
    expect(() => parseAlsWeights(weights)).toThrow(ZodError);
    expect(() => scoreLead(PERFECT, ICP, weights as Parameters<typeof scoreLead>[2], NOW)).toThrow(ZodError);
  });
});

describe('parseSizeRange', () => {
  it.each<[string, { min: number; max: number } | null]>([
    ['11-50', { min: 11, max: 50 }],
    ['5 – 50', { min: 5, max: 50 }],
    ['1,000+', { min: 1000, max: Number.POSITIVE_INFINITY }],
    ['200', { min: 200, max: 200 }],
    ['50-10', null],
    ['large', null],
  ])('%p', (input, expected) => {
    expect(parseSizeRange(input)).toEqual(expected);
  });
});

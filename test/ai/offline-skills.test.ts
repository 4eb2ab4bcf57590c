// The skills' deterministic offline implementations (used without ANTHROPIC_API_KEY), run on the
// same test website the workflow tests crawl, plus edge cases of each heuristic; and the tool
// schemas every skill sends to Claude.
import { createLocalCrawler } from '../../src/engines/icp-scraper';
import { toolInputSchema } from '../../src/engines/ai/structured';
import { CAMPAIGN_SKILLS, getSkill, ICP_SKILLS, listSkills } from '../../src/engines/skills/registry';
import { toolNameFor, type SkillContext } from '../../src/engines/skills/skill';
import { draftIcp, ICP_STEPS, icpStepInput, applyIcpEdits, slugForIndustryName, type IcpOutputs } from '../../src/engines/skills/icp/pipeline';
import { companyNameFrom, pageKind } from '../../src/engines/skills/icp/website-parser';
import { classifyCompany } from '../../src/engines/skills/icp/industry-classifier';
import {
  EmailCopy,
  LinkedInCopy,
  MailCopy,
  SmsCopy,
  VoiceCopy,
  composeOffline,
  type MessagingInput,
} from '../../src/engines/skills/campaign/messaging-generator';
import { estimatedLength, mergeFieldProblems } from '../../src/engines/skills/campaign/merge-fields';
import { buildGenerationContext, generationStepInput, retarget, templateId } from '../../src/engines/skills/campaign/pipeline';
import { renderTemplate } from '../../src/engines/content/templates';
import { startTestSite, type TestSite } from './helpers/site';

const offline: SkillContext = { clientId: 'client-1', ai: null };
let site: TestSite;
let out: IcpOutputs;
let pages: Array<{ url: string; title: string | null; text: string }>;

beforeAll(async () => {
  site = await startTestSite();
  const crawl = await createLocalCrawler({ allowPrivateHosts: true }).crawl(site.url);
  pages = crawl.pages.map((p) => ({ url: p.url, title: p.title, text: p.text }));
  out = {};
  for (const step of ICP_STEPS) {
    const res = await getSkill(step).execute(icpStepInput(step, site.url, pages, out), offline);
    expect(res.mode).toBe('offline');
    (out as Record<string, unknown>)[step] = res.output;
  }
});
afterAll(async () => site?.close());

describe('offline ICP skills on the test website', () => {
  it('website parser: page kinds, name, tagline and contacts', () => {
    const o = out['website-parser']!;
    expect(o.companyName).toBe('Brightwave Digital');
    expect(o.tagline).toBe('More patients. Less guesswork.');
    const kinds = Object.fromEntries(o.pages.map((p) => [new URL(p.url).pathname, p.kind]));
    expect(kinds).toMatchObject({
      '/': 'home',
      '/services.html': 'services',
      '/portfolio.html': 'portfolio',
      '/case-studies/smile-bright.html': 'case_study',
      '/about.html': 'about',
      '/contact.html': 'contact',
      '/blog/': 'blog',
    });
    expect(o.contact.emails).toEqual(['hello@brightwave.example']);
    expect(o.contact.phones).toEqual(['(02) 9000 1234']);
    expect(o.contact.locations.slice(0, 3)).toEqual(['Sydney', 'Parramatta', 'Melbourne']);
  });

  it('service extractor: services-page headings mapped to canonical services, ranked by evidence', () => {
    const names = out['service-extractor']!.services.map((s) => s.name);
    expect(names).toEqual(['Google Ads (PPC)', 'SEO', 'Website design & development', 'Reputation management', 'Social media marketing']);
    expect(names).not.toContain('Why choose us');
    expect(out['service-extractor']!.services[1].description).toMatch(/^Search engine optimisation that puts your practice at the top of Google/);
  });

  it('value-proposition extractor: promise, audience, differentiators and proof', () => {
    const o = out['value-prop-extractor']!;
    expect(o.valueProposition).toMatch(/^Brightwave Digital helps dental practices and allied health clinics across Australia win more patients/);
    expect(o.targetAudience).toBe('dental practices and allied health clinics');
    expect(o.differentiators).toEqual([
      'Healthcare specialists: we only work with clinics and practices',
      'No lock-in contracts, month-to-month',
      'Transparent reporting on cost per new patient',
    ]);
    expect(o.proofPoints.slice(0, 3)).toEqual([
      '212% average increase in booked appointments',
      '60+ practices grown since 2014',
      '4.9-star average Google rating',
    ]);
  });

  it('portfolio extractor: logos, case studies and testimonials, merged, without badges or icons', () => {
    const companies = out['portfolio-extractor']!.companies;
    expect(companies.map((c) => c.name)).toEqual([
      'Smile Bright Dental',
      'Northside Dental Group',
      'Bondi Family Dentists',
      'Harbour Physiotherapy',
      'Parkside Medical Centre',
      'Coastal Legal',
      'Mason & Reid Lawyers',
      'Summit Plumbing',
    ]);
    expect(companies.find((c) => c.name === 'Smile Bright Dental')).toMatchObject({
      employees: 12,
      location: 'Parramatta',
      result: '3x new patient bookings',
      sources: ['logo', 'case_study'],
    });
    expect(companies.find((c) => c.name === 'Northside Dental Group')!.sources).toEqual(['logo', 'testimonial']);
    expect(companies.find((c) => c.name === 'Coastal Legal')).toMatchObject({
      employees: 25,
      location: 'Gold Coast',
      industryHint: 'boutique family law firm',
    });
  });

  it('industry classifier: shares of the portfolio by industry', () => {
    expect(out['industry-classifier']!.industries.map((i) => [i.industry, i.companyCount, i.share, i.isPrimary])).toEqual([
      ['dental', 3, 0.375, true],
      ['healthcare', 2, 0.25, false],
      ['legal', 2, 0.25, false],
      ['trades', 1, 0.125, false],
    ]);
  });

  it('company-size estimator: the explicit statement beats team profiles; clients’ staff counts are ignored', () => {
    expect(out['company-size-estimator']).toMatchObject({ employeeEstimate: 18, range: '11-50', foundedYear: 2014, offices: 2, confidence: 0.85 });
    expect(out['company-size-estimator']!.signals).toContain('4 team profiles shown');
  });

  it('ICP deriver and ALS weights: the draft a user confirms', () => {
    const draft = draftIcp(out);
    expect(draft).toMatchObject({ industries: ['Dental', 'Health Care', 'Legal'], companySizes: ['11-50'], locations: ['Australia'] });
    expect(draft.painPoints[0]).toBe('Empty chairs and gaps in the appointment book');
    expect(out['icp-deriver']!.industrySlugs).toEqual(['dental', 'healthcare', 'legal']);
    expect(draft.alsWeights).toEqual({ dataQuality: 1.1, authority: 1.25, companyFit: 1.1, timing: 0.9, risk: 1.2 });
    expect(out['als-weight-suggester']!.reasoning.map((r) => r.component)).toEqual(['companyFit', 'authority', 'authority', 'timing', 'dataQuality', 'risk']);
    expect(applyIcpEdits(draft, { alsWeights: { risk: 1 }, titles: ['Owner'] })).toMatchObject({ titles: ['Owner'], alsWeights: { risk: 1, timing: 0.9 } });
    expect(() => applyIcpEdits(draft, { companySizes: ['lots'] })).toThrow(/employee range/);
  });

  it('is deterministic', async () => {
    const again = await getSkill('portfolio-extractor').execute(icpStepInput('portfolio-extractor', site.url, pages, out), offline);
    expect(again.output).toEqual(out['portfolio-extractor']);
  });
});

describe('offline heuristics on other inputs', () => {
  it('classifies pages by path, then by heading', () => {
    expect(pageKind('https://x.example/what-we-do/', null, '')).toBe('services');
    expect(pageKind('https://x.example/p?id=7', 'Meet the team | X', '')).toBe('team');
    expect(pageKind('https://x.example/xyz', null, '# Our Work\ntext')).toBe('portfolio');
    expect(companyNameFrom([{ url: 'https://acme-growth.com.au/', title: 'Welcome' }], 'https://acme-growth.com.au/')).toBe('Welcome');
    expect(
      companyNameFrom(
        [
          { url: 'https://acme-growth.com.au/', title: null },
          { url: 'https://acme-growth.com.au/a', title: 'About' },
        ],
        'https://acme-growth.com.au/',
      ),
    ).toBe('Acme Growth');
  });

  it('classifies companies by name, hint and description', () => {
    expect(classifyCompany({ name: 'Peak Plumbing & Gas' })).toBe('trades');
    expect(classifyCompany({ name: 'Harper & Co', industryHint: 'boutique law firm' })).toBe('legal');
    expect(classifyCompany({ name: 'Nimbus', description: 'A SaaS platform for logistics teams' })).toBe('technology');
    expect(classifyCompany({ name: 'Blue Door' })).toBe('other');
    expect(slugForIndustryName('Health Care')).toBe('healthcare');
    expect(slugForIndustryName('Law Practice')).toBe('legal');
  });

  it('falls back to the stated audience when there is no portfolio', async () => {
    const res = await getSkill('industry-classifier').execute(
      { companies: [], targetAudience: 'accounting firms and financial advisers', industryPageText: '' },
      offline,
    );
    const o = res.output as { industries: Array<{ industry: string; confidence: number; isPrimary: boolean }> };
    // Multi-word keywords ("financial advis*") weigh double.
    expect(o.industries.map((i) => i.industry)).toEqual(['financial-services', 'accounting']);
    expect(o.industries[0]).toMatchObject({ isPrimary: true, confidence: 0.3 });
  });

  it('estimates size from team profiles when nothing is stated', async () => {
    const text = ['# Our team', '## Ana Lopez', 'Managing Director', '## Ben Ito', 'Senior Designer', '## Cara Bell', 'Account Manager'].join('\n');
    const res = await getSkill('company-size-estimator').execute({ companyName: 'X', pages: [{ url: 'https://x.example/team', kind: 'team', text }] }, offline);
    expect(res.output).toMatchObject({ employeeEstimate: 6, range: '1-10', confidence: 0.5 });
  });
});

describe('hostile page text', () => {
  it('parses it without catastrophic regex backtracking', async () => {
    const evil = ['we help ' + 'a '.repeat(20_000) + 'x', 'a@' + 'a'.repeat(20_000), '1' + ' 1'.repeat(10_000)].join('\n').slice(0, 60_000);
    const started = Date.now();
    await getSkill('website-parser').execute({ websiteUrl: 'https://x.example/', pages: [{ url: 'https://x.example/', text: evil }] }, offline);
    for (const slug of ['value-prop-extractor', 'service-extractor', 'portfolio-extractor', 'company-size-estimator']) {
      await getSkill(slug).execute({ companyName: 'X', services: [], pages: [{ url: 'https://x.example/', kind: 'home', text: evil }] }, offline);
    }
    // Measured at ~70 ms; a backtracking regex takes minutes on this input.
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('offline campaign copy', () => {
  const input: MessagingInput = {
    channel: 'sms',
    agency: {
      name: 'Brightwave',
      services: ['Website design & development', 'Conversion rate optimisation'],
      valueProp: 'We build websites that convert.',
      proofPoints: [],
      differentiators: [],
    },
    icp: { industries: ['Legal'], titles: [], painPoints: [] },
    audience: 'independent family law and conveyancing practices across regional New South Wales',
    painPoint: 'Inconsistent flow of qualified matters',
  };

  it('drops optional parts until the SMS and LinkedIn note fit, and uses only fillable merge fields', () => {
    const sms = SmsCopy.parse(composeOffline(input));
    expect(estimatedLength(sms.text)).toBeLessThanOrEqual(160);
    expect(sms.text).toMatch(/Reply STOP to opt out$/);
    const li = LinkedInCopy.parse(composeOffline({ ...input, channel: 'linkedin' }));
    expect(estimatedLength(li.connectionNote)).toBeLessThanOrEqual(300);
    for (const [channel, schema] of [
      ['email', EmailCopy],
      ['voice', VoiceCopy],
      ['mail', MailCopy],
    ] as const) {
      expect(() => schema.parse(composeOffline({ ...input, channel }))).not.toThrow();
    }
    const email = EmailCopy.parse(composeOffline({ ...input, channel: 'email' }));
    expect(renderTemplate(email.intro.body, { senderName: 'Sam', agencyName: 'Brightwave' })).toContain('Hi there,');
  });

  it('rejects unknown merge fields, missing fallbacks and over-long copy', () => {
    expect(mergeFieldProblems('Hi {{firstName}}')).toEqual(['{{firstName}} needs a fallback, e.g. {{firstName|there}}']);
    expect(mergeFieldProblems('Hi {{nickname|x}} [[name]]')).toHaveLength(2);
    expect(mergeFieldProblems('{{senderName}} at {{agencyName}}')).toEqual([]);
    expect(estimatedLength('{{firstName|there}}!')).toBe(13);
    const long = SmsCopy.safeParse({ channel: 'sms', text: `${'x'.repeat(150)} Reply STOP to opt out` });
    expect(long.success).toBe(false);
    expect(JSON.stringify(long.error?.issues)).toMatch(/about 172 characters .* the limit is 160/);
  });

  it('re-targets Claude copy to another segment without touching quoted facts', () => {
    const copy = {
      channel: 'linkedin' as const,
      connectionNote: 'Hi {{firstName|there}}, we help dental practices. "We help dental practices grow." {{senderName}}',
      inMail: { subject: 'Empty chairs', body: 'Empty chairs hurt dental practices.' },
    };
    const r = retarget(copy, { audience: 'dental practices', painPoint: 'Empty chairs' }, { audience: 'law firms', painPoint: 'Slow enquiries' }, [
      'We help dental practices grow.',
    ]);
    expect(r).toEqual({
      channel: 'linkedin',
      connectionNote: 'Hi {{firstName|there}}, we help law firms. "We help dental practices grow." {{senderName}}',
      inMail: { subject: 'Slow enquiries', body: 'Slow enquiries hurt law firms.' },
    });
    expect(templateId('job-1', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(templateId('job-1', 0)).toBe(templateId('job-1', 0));
    expect(templateId('job-1', 1)).not.toBe(templateId('job-1', 0));
  });

  it('builds the generation context from a confirmed ICP set by hand (no discovery run)', () => {
    const ctx = buildGenerationContext(
      {
        name: 'Acme',
        icpIndustries: ['Software'],
        icpCompanySizes: ['11-50'],
        icpTitles: ['CEO'],
        icpLocations: ['AU'],
        icpPainPoints: ['Long sales cycles'],
        icpValueProp: null,
      },
      null,
    );
    expect(ctx).toMatchObject({ agencyName: 'Acme', audience: 'software and technology companies', icp: { industrySlugs: ['technology'] } });
    expect(generationStepInput('sequence-builder', ctx)).toEqual({
      industries: ['Software'],
      primaryIndustry: 'Software',
      audience: 'software and technology companies',
    });
  });
});

describe('skill registry and tool schemas', () => {
  it('lists eleven skills, each with a description, a system prompt and an object tool schema Claude accepts', () => {
    expect(listSkills().map((s) => s.slug)).toEqual([...ICP_SKILLS, ...CAMPAIGN_SKILLS].map((s) => s.slug));
    for (const s of [...ICP_SKILLS, ...CAMPAIGN_SKILLS]) {
      expect(s.description.length).toBeGreaterThan(40);
      expect(s.systemPrompt.length).toBeGreaterThan(80);
      expect(toolNameFor(s.slug)).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      if (s.slug !== 'messaging-generator') expect(toolInputSchema(s.output as never)).toMatchObject({ type: 'object' });
    }
    for (const schema of [EmailCopy, LinkedInCopy, SmsCopy, VoiceCopy, MailCopy])
      expect(toolInputSchema(schema)).toMatchObject({ type: 'object', required: expect.arrayContaining(['channel']) });
  });

  it('rejects invalid input with a non-retryable failure naming the problem', async () => {
    await expect(getSkill('icp-deriver').execute({ companyName: 'x' }, offline)).rejects.toMatchObject({
      type: 'SkillInputInvalid',
      nonRetryable: true,
      message: expect.stringMatching(/icp-deriver: input is invalid/),
    });
  });
});

// Canned Claude answers for every skill's tool, as a fake-Anthropic responder: what a well-behaved
// model would return for the test website. Tests override single tools to inject failures.
import type { FakeMessagesRequest, FakeReply } from '../../fakes/anthropic-fake';

const pagesFromPrompt = (req: FakeMessagesRequest) => {
  const text = String(req.body.messages[0].content);
  return [...text.matchAll(/^=== PAGE (\S+)/gm)].map((m) => m[1]);
};

const kindOf = (url: string) => {
  const p = new URL(url).pathname;
  if (p === '/') return 'home';
  if (p.includes('service')) return 'services';
  if (p.includes('portfolio')) return 'portfolio';
  if (p.includes('case-stud')) return 'case_study';
  if (p.includes('about')) return 'about';
  if (p.includes('contact')) return 'contact';
  if (p.includes('blog')) return 'blog';
  return 'other';
};

export const CANNED: Record<string, (req: FakeMessagesRequest) => unknown> = {
  submit_website_parser: (req) => ({
    companyName: 'Brightwave Digital',
    tagline: 'More patients. Less guesswork.',
    pages: pagesFromPrompt(req).map((url) => ({ url, kind: kindOf(url), title: null, headings: [], summary: 'A page.', wordCount: 100 })),
    contact: { emails: ['hello@brightwave.example'], phones: ['(02) 9000 1234'], locations: ['Sydney', 'Melbourne'] },
  }),
  submit_service_extractor: () => ({
    services: [
      { name: 'SEO', description: 'Local SEO for practices.', evidenceUrl: null, confidence: 0.95 },
      { name: 'Google Ads management', description: 'Paid search tracked to bookings.', evidenceUrl: null, confidence: 0.9 },
    ],
    primaryService: 'SEO',
  }),
  submit_value_prop_extractor: () => ({
    valueProposition: 'We help dental practices and law firms win more clients with SEO and Google Ads.',
    tagline: 'More patients. Less guesswork.',
    targetAudience: 'dental practices and law firms',
    differentiators: ['No lock-in contracts'],
    proofPoints: ['212% average increase in booked appointments'],
  }),
  submit_portfolio_extractor: () => ({
    companies: [
      {
        name: 'Smile Bright Dental',
        description: 'Family dental practice',
        industryHint: 'dental practice',
        location: 'Parramatta',
        employees: 12,
        result: '3x bookings',
        sources: ['logo', 'case_study'],
      },
      { name: 'Northside Dental Group', description: null, industryHint: null, location: null, employees: null, result: null, sources: ['logo'] },
      {
        name: 'Coastal Legal',
        description: 'Family law firm',
        industryHint: 'law firm',
        location: 'Gold Coast',
        employees: 25,
        result: null,
        sources: ['case_study'],
      },
    ],
  }),
  submit_industry_classifier: () => ({
    industries: [
      { industry: 'dental', companyCount: 2, share: 0.667, isPrimary: true, confidence: 0.9 },
      { industry: 'legal', companyCount: 1, share: 0.333, isPrimary: false, confidence: 0.8 },
    ],
    companyIndustries: [
      { name: 'Smile Bright Dental', industry: 'dental' },
      { name: 'Northside Dental Group', industry: 'dental' },
      { name: 'Coastal Legal', industry: 'legal' },
    ],
  }),
  submit_company_size_estimator: () => ({ employeeEstimate: 18, range: '11-50', confidence: 0.9, foundedYear: 2014, offices: 2, signals: ['a team of 18'] }),
  submit_icp_deriver: () => ({
    industries: ['Dental', 'Legal'],
    industrySlugs: ['dental', 'legal'],
    companySizes: ['11-50'],
    titles: ['Practice Owner', 'Managing Partner'],
    locations: ['Australia'],
    painPoints: ['Empty chairs in the appointment book', 'Too few qualified enquiries'],
    valueProp: 'We help dental practices and law firms win more clients with SEO and Google Ads.',
    description: 'Dental practices and law firms with 11-50 staff in Australia.',
    confidence: 0.8,
  }),
  submit_als_weight_suggester: () => ({
    weights: { dataQuality: 1, authority: 1.2, companyFit: 1.3, timing: 0.8, risk: 1 },
    reasoning: [{ component: 'companyFit', weight: 1.3, reasoning: 'Niche ICP.' }],
    confidence: 0.75,
  }),
  submit_sequence_builder: () => ({
    sequence: {
      version: 1,
      touches: [
        { number: 1, day: 0, channel: 'email', kind: 'email_intro' },
        { number: 2, day: 3, channel: 'linkedin', kind: 'linkedin_connect' },
        { number: 3, day: 5, channel: 'email', kind: 'email_followup', threadWith: 1 },
        { number: 4, day: 9, channel: 'sms', kind: 'sms' },
        { number: 5, day: 12, channel: 'voice', kind: 'voice' },
        { number: 6, day: 16, channel: 'mail', kind: 'mail', fallback: { channel: 'email', kind: 'email_breakup', threadWith: 1 } },
      ],
    },
    timingFactor: 1.15,
    rationale: 'Busy practice owners: a little more room between touches.',
  }),
  submit_messaging_generator: (req) => {
    const channel = /^Channel: (\w+)/m.exec(String(req.body.messages[0].content))?.[1];
    const aud = 'dental practices';
    switch (channel) {
      case 'email':
        return {
          channel,
          intro: {
            subject: 'A quick idea for {{companyName|your practice}}',
            body: `Hi {{firstName|there}},\n\nWe help ${aud} fill their books. Worth 15 minutes?\n\n{{senderName}}`,
          },
          followUp: { body: `Hi {{firstName|there}}, following up: most ${aud} we meet mention empty chairs in the appointment book.\n\n{{senderName}}` },
          breakup: { subject: 'Closing the loop', body: 'Hi {{firstName|there}}, I will leave it here. Reply any time.\n\n{{senderName}}' },
        };
      case 'linkedin':
        return {
          channel,
          connectionNote: `Hi {{firstName|there}}, I work with ${aud} on SEO and Google Ads. Would be good to connect. {{senderName}}`,
          inMail: {
            subject: 'Empty chairs in the appointment book',
            body: `Hi {{firstName|there}}, we help ${aud} with SEO and Google Ads. Open to a chat? {{senderName}}`,
          },
        };
      case 'sms':
        return { channel, text: `Hi {{firstName|there}}, {{senderName}} from {{agencyName}}. We help ${aud} grow. Chat? Reply STOP to opt out` };
      case 'voice':
        return {
          channel,
          opener: "Hi {{firstName|there}}, it's {{senderName}} from {{agencyName}}.",
          talkingPoints: [`We work with ${aud}.`, 'SEO and Google Ads tracked to bookings.', 'Ask about their new-patient numbers.'],
          objections: [{ objection: 'We have an agency', response: 'Happy to give a second opinion.' }],
          voicemail: 'Hi {{firstName|there}}, {{senderName}} from {{agencyName}}. I will email you. Thanks.',
        };
      default:
        return { channel: 'mail', letter: `Dear {{firstName|there}},\n\nWe help ${aud} win more clients.\n\nKind regards,\n{{senderName}}` };
    }
  },
  submit_campaign_splitter: () => ({
    campaigns: [
      {
        name: 'Dental growth',
        industry: 'Dental',
        audience: 'dental practices',
        painPoint: 'Empty chairs in the appointment book',
        targeting: { industries: ['Dental'], companySizes: ['11-50'], titles: ['Practice Owner'], locations: ['Australia'] },
        rationale: 'Two thirds of clients.',
      },
      {
        name: 'Legal growth',
        industry: 'Legal',
        audience: 'law firms',
        painPoint: 'Too few qualified enquiries',
        targeting: { industries: ['Legal'], companySizes: ['11-50'], titles: ['Managing Partner'], locations: ['Australia'] },
        rationale: 'One third of clients.',
      },
    ],
  }),
};

/** Replies with the canned answer for the forced tool; `overrides` can change single tools. */
export function cannedResponder(overrides: Record<string, (req: FakeMessagesRequest, call: number) => FakeReply | undefined> = {}) {
  const calls = new Map<string, number>();
  return (req: FakeMessagesRequest): FakeReply => {
    const tool = req.tool ?? '';
    const n = (calls.get(tool) ?? 0) + 1;
    calls.set(tool, n);
    const o = overrides[tool]?.(req, n);
    if (o) return o;
    const make = CANNED[tool];
    if (!make) return { kind: 'error', status: 400, errorType: 'invalid_request_error', message: `no canned answer for ${tool}` };
    return { kind: 'tool', input: make(req) };
  };
}

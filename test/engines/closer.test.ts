import {
  INTENTS,
  REVIEW_THRESHOLD,
  ReplyClassificationSchema,
  classifyReply,
  type ClassifyReplyOptions,
  type ReplyIntent,
} from '../../src/engines/closer/rule-classifier';
import { extractReplyText } from '../../src/engines/closer/reply-text';

// Wednesday 7 January 2026, 12:00 in Sydney.
const WEDNESDAY = new Date('2026-01-07T01:00:00Z');

interface Case {
  name: string;
  text: string;
  intent: ReplyIntent;
  opts?: Partial<ClassifyReplyOptions>;
  /** Exact return date; `null` asserts there is none. */
  returnDate?: string | null;
  referral?: { name?: string; email?: string; phone?: string };
  /** Default: confident (>= 0.6). `true`: must go to human review (< 0.6). */
  low?: boolean;
}

const QUOTED_PITCH = [
  '',
  'On Tue, 6 Jan 2026 at 9:14 am, Sam Smith <sam@agency.example> wrote:',
  '> Hi there, would you be interested in a quick call next week? Book a time here: https://cal.example/sam',
  "> If you're not interested, reply STOP and I'll stop emailing.",
  '> Unsubscribe: https://agency.example/u/abc',
].join('\n');

const OUTLOOK_QUOTE = [
  '',
  '________________________________',
  'From: Sam Smith <sam@agency.example>',
  'Sent: Tuesday, 6 January 2026 9:14 AM',
  'To: Jess Lee <jess@acme.example>',
  'Subject: Quick question',
  '',
  "Not interested? Let me know and I'll stop emailing. To unsubscribe click here.",
].join('\n');

const CASES: Case[] = [
  // interested
  { name: 'one word', text: 'Interested', intent: 'interested' },
  { name: 'yes please + info', text: 'Yes please, send me more info.', intent: 'interested' },
  { name: 'typo intrested', text: 'Im intrested, tell me more', intent: 'interested' },
  { name: 'email me the details', text: 'Hi Sam, happy to help. Can you email me at jess@acme.example with the details?', intent: 'interested' },
  { name: 'shouting', text: 'INTERESTED! Send through the details.', intent: 'interested' },
  {
    name: 'long with quoted thread that says "not interested" and STOP',
    text:
      "Hi Sam,\n\nThis actually sounds really interesting - we've been looking at options for our outbound this year. " +
      'Can you send me a proposal?\n\nThanks,\nJess' +
      QUOTED_PITCH,
    intent: 'interested',
  },
  { name: 'Australian keen', text: 'Keen to learn more about this', intent: 'interested' },
  { name: 'go ahead', text: 'Yep, go ahead and send it through', intent: 'interested' },
  { name: 'case studies', text: "We'd love to see some case studies from clients in our industry.", intent: 'interested' },
  { name: 'Outlook quoted header', text: "Yes, I'd be interested." + OUTLOOK_QUOTE, intent: 'interested' },
  {
    name: 'signature with phone is not a referral',
    text: 'Sounds good, send me the deck.\n\nCheers,\nBob Jones\nCEO | Acme\nM: 0412 345 678\nbob@acme.example',
    intent: 'interested',
  },

  // meeting_request
  { name: 'day and time', text: 'Can we set up a call next Tuesday at 2pm?', intent: 'meeting_request' },
  { name: 'time works', text: 'Thursday at 10am works for me', intent: 'meeting_request' },
  { name: 'call me on my number', text: 'Sure, give me a call on 0412 345 678', intent: 'meeting_request' },
  { name: 'calendar invite', text: 'Happy to chat. Send me a calendar invite for next week.', intent: 'meeting_request' },
  { name: 'what times work', text: 'What times work for you on Friday?', intent: 'meeting_request' },
  { name: 'zoom tomorrow arvo', text: "Let's jump on a quick zoom - how about tomorrow arvo?", intent: 'meeting_request' },
  { name: 'free monday', text: "I'm free Monday afternoon if you want to walk me through it.", intent: 'meeting_request' },
  { name: 'calendly link', text: 'Book a time in my calendar: https://calendly.com/jess-acme/30min', intent: 'meeting_request' },
  { name: 'lower case, no apostrophe', text: 'sounds good, lets catch up next week', intent: 'meeting_request' },
  { name: 'when can you meet', text: 'Great timing! We were just talking about this. When can you meet?', intent: 'meeting_request' },
  { name: 'contact me on', text: 'Please contact me on 0412 345 678', intent: 'meeting_request' },
  { name: 'call my mobile is not a referral', text: 'Best to call my mobile on 0412 345 678 after 3.', intent: 'meeting_request' },
  {
    name: 'meeting with quoted thread',
    text: 'Sure - does Friday 9am suit? My mobile is 0400 111 222 if easier.' + QUOTED_PITCH,
    intent: 'meeting_request',
  },

  // question
  { name: 'pricing', text: 'How much does it cost?', intent: 'question' },
  { name: 'interest + pricing question', text: 'Sounds interesting, how much does it cost?', intent: 'question' },
  { name: 'who is this', text: 'Who is this?', intent: 'question' },
  { name: 'where did you get my email', text: 'How did you get my email address?', intent: 'question' },
  { name: 'industry question', text: 'Do you work with dental practices in Perth?', intent: 'question' },
  { name: 'contract length', text: "What's the minimum contract length?", intent: 'question' },

  // not_interested
  { name: 'no thanks', text: 'no thanks', intent: 'not_interested' },
  { name: 'not interested + quote', text: 'Not interested.' + QUOTED_PITCH, intent: 'not_interested' },
  {
    name: 'history pasted without ">" marks',
    text:
      'Not for us, thanks.\n\nOn Tue, 6 Jan 2026 at 9:14 am, Sam Smith <sam@agency.example> wrote:\n' +
      'Would you be interested in a quick call? Happy to chat next week - book a time here.',
    intent: 'not_interested',
  },
  {
    name: 'already have an agency, signature stripped',
    text: "Thanks, we already have an agency we're happy with.\n\nCheers,\nBob Jones\nCEO | Acme\nM: 0412 345 678\nbob@acme.example",
    intent: 'not_interested',
  },
  { name: 'pass', text: "We'll pass, thanks.", intent: 'not_interested' },
  { name: 'caps', text: 'NOT INTERESTED', intent: 'not_interested' },
  { name: 'typo', text: 'Not intrested sorry', intent: 'not_interested' },
  { name: 'in-house', text: "We do all our marketing in-house so this isn't relevant to us.", intent: 'not_interested' },
  { name: 'bare no', text: 'No', intent: 'not_interested' },
  { name: 'not a fit', text: "Thanks for reaching out but it's not a fit for us.", intent: 'not_interested' },
  { name: "don't follow up", text: "Please don't follow up on this.", intent: 'not_interested' },
  { name: 'not keen', text: "Not keen mate, we're sorted.", intent: 'not_interested' },
  { name: 'went with another provider', text: "We've decided to go with another provider this year.", intent: 'not_interested' },
  { name: 'not in a position', text: "Unfortunately we're not in a position to proceed.", intent: 'not_interested' },
  { name: 'not interested with rhetorical question', text: 'Not interested. Who gave you my email?', intent: 'not_interested' },

  // deferrals: a "no" a human should look at
  { name: 'not right now, next quarter', text: 'Not right now, maybe next quarter.', intent: 'not_interested', low: true },
  {
    name: 'flat out until EOFY',
    text: "Timing isn't great for us - we're flat out until after EOFY. Reach out again in a few months?",
    intent: 'not_interested',
    low: true,
  },
  { name: 'yes but not now', text: 'Yes, but not right now', intent: 'not_interested', low: true },
  { name: 'interested but no budget', text: "Interested but we don't have budget until July", intent: 'not_interested', low: true },
  { name: 'sounds good but not now', text: 'Sounds good but not at the moment, sorry.', intent: 'not_interested', low: true },

  // unsubscribe_request
  { name: 'STOP', text: 'STOP', intent: 'unsubscribe_request' },
  { name: 'remove me', text: 'Please remove me from your mailing list', intent: 'unsubscribe_request' },
  { name: 'typo unsubscibe', text: 'unsubscibe', intent: 'unsubscribe_request' },
  { name: 'take me off', text: 'Take me off your list. I never signed up for this.', intent: 'unsubscribe_request' },
  { name: 'stop emailing + spam', text: "Stop emailing me or I'll report you as spam.", intent: 'unsubscribe_request' },
  { name: 'beats not interested', text: "Not interested. Please don't contact me again.", intent: 'unsubscribe_request' },
  {
    name: 'beats interest and wrong person',
    text: "Sounds interesting but please remove me from this list, I'm not the right contact.",
    intent: 'unsubscribe_request',
  },
  { name: 'subject only', text: '', intent: 'unsubscribe_request', opts: { subject: 'Unsubscribe' } },
  { name: 'stop in lower case with punctuation', text: 'stop.', intent: 'unsubscribe_request' },
  { name: 'please stop', text: 'Please stop', intent: 'unsubscribe_request' },
  { name: 'stop as a closing sentence', text: "this is the 5th email you've sent me. stop.", intent: 'unsubscribe_request' },
  { name: 'why do you keep emailing', text: 'Why do you keep emailing me?', intent: 'unsubscribe_request' },
  { name: 'STOP in an SMS-style reply with signature', text: 'STOP\n\nSent from my Galaxy', intent: 'unsubscribe_request' },

  // out_of_office
  {
    name: 'auto-reply with urgent contact is not a referral',
    text:
      'I am out of the office until Monday 12 January with limited access to email. ' +
      'For urgent matters please contact Jane Doe at jane@acme.example or call me on 0412 345 678.',
    opts: { subject: 'Automatic reply: Quick question' },
    intent: 'out_of_office',
    returnDate: '2026-01-12',
  },
  {
    name: 'numeric date en-AU (d/m/y)',
    text: 'Thanks for your email. I am currently on annual leave, returning 3/2/2026.',
    intent: 'out_of_office',
    returnDate: '2026-02-03',
  },
  {
    name: 'numeric date en-US (m/d/y)',
    text: 'Thanks for your email. I am currently on annual leave, returning 3/2/2026.',
    opts: { locale: 'en-US' },
    intent: 'out_of_office',
    returnDate: '2026-03-02',
  },
  {
    name: 'impossible m/d in en-US read as d/m',
    text: "I'm on leave, back 13/1.",
    opts: { locale: 'en-US' },
    intent: 'out_of_office',
    returnDate: '2026-01-13',
  },
  { name: 'until the 15th', text: "I'm away until the 15th, back then.", intent: 'out_of_office', returnDate: '2026-01-15' },
  { name: 'back next week', text: "I'll be back next week", intent: 'out_of_office', returnDate: '2026-01-12' },
  {
    name: 'back on Friday',
    text: "Hi, I'm currently out of the office and will be back on Friday. I will respond to your email on my return.",
    intent: 'out_of_office',
    returnDate: '2026-01-09',
  },
  {
    name: 'range over new year, inclusive end',
    text: 'I will be out of the office from 22 December to 5 January inclusive and will respond when I return.',
    opts: { subject: 'Out of Office', receivedAt: new Date('2025-12-20T02:00:00Z') },
    intent: 'out_of_office',
    returnDate: '2026-01-06',
  },
  {
    name: 'weekday + date in next year',
    text: 'Thank you for your message. I am on leave and will be back on Monday 12 January.',
    opts: { receivedAt: new Date('2025-12-20T02:00:00Z') },
    intent: 'out_of_office',
    returnDate: '2026-01-12',
  },
  {
    name: 'stale auto-reply: a date just past is last year, not next year',
    text: 'Automatic reply: I am on annual leave, back on 30 December.',
    opts: { receivedAt: new Date('2026-01-02T02:00:00Z') },
    intent: 'out_of_office',
    returnDate: '2025-12-30',
  },
  {
    name: 'month only',
    text: "Out of office: I'm on parental leave until March 2026.",
    intent: 'out_of_office',
    returnDate: '2026-03-01',
  },
  {
    name: 'US month-day-year',
    text: 'Automatic reply: I am out of the office through January 9th, 2026.',
    opts: { locale: 'en-US' },
    intent: 'out_of_office',
    returnDate: '2026-01-10',
  },
  {
    name: 'ordinal with weekday and year',
    text: "I'm on annual leave returning Monday 19th January 2026.",
    intent: 'out_of_office',
    returnDate: '2026-01-19',
  },
  {
    name: 'day of month only, next month',
    text: 'I am away from the office and will be back in the office on the 3rd.',
    intent: 'out_of_office',
    returnDate: '2026-02-03',
  },
  {
    name: 'a time is not a date',
    text: 'Out of office. I will be back at 9.30 on Thursday.',
    intent: 'out_of_office',
    returnDate: '2026-01-08',
  },
  {
    name: 'business closed, reopens',
    text: "We're closed for the Christmas break and will reopen on 12 January 2026.",
    intent: 'out_of_office',
    returnDate: '2026-01-12',
  },
  {
    name: 'on holidays, ordinal day + abbreviated month',
    text: 'Thanks - I am on holidays until 2nd Feb, please email me after then.',
    intent: 'out_of_office',
    returnDate: '2026-02-02',
  },
  {
    name: 'starting one day, returning another (US style)',
    text: 'I will be out of the office starting Friday, January 9 and returning Tuesday, January 20.',
    opts: { locale: 'en-US' },
    intent: 'out_of_office',
    returnDate: '2026-01-20',
  },
  {
    name: 'no date given',
    text: "I'm currently travelling with limited access to email and will reply as soon as I can.",
    intent: 'out_of_office',
    returnDate: null,
  },
  {
    name: 'back tomorrow in the lead time zone',
    text: 'Automatic reply - I am out of the office today, back tomorrow.',
    // 07:00 Wednesday in Sydney is still Tuesday in UTC.
    opts: { receivedAt: new Date('2026-01-06T20:00:00Z'), timeZone: 'Australia/Sydney' },
    intent: 'out_of_office',
    returnDate: '2026-01-08',
  },
  {
    name: 'back tomorrow in UTC',
    text: 'Automatic reply - I am out of the office today, back tomorrow.',
    opts: { receivedAt: new Date('2026-01-06T20:00:00Z') },
    intent: 'out_of_office',
    returnDate: '2026-01-07',
  },
  {
    name: 'auto-acknowledgement is not a person',
    text: 'Thank you for contacting Acme Plumbing. We have received your message and will respond within 2 business days.',
    intent: 'out_of_office',
    low: true,
  },

  // referral
  {
    name: 'wrong person with name and email',
    text: "I'm not the right person for this - please contact Sarah Lee at sarah@acme.example, she looks after marketing.",
    intent: 'referral',
    referral: { name: 'Sarah Lee', email: 'sarah@acme.example' },
  },
  {
    name: 'name first, then verb',
    text: 'Sarah Lee (sarah@acme.example) handles our marketing, try her.',
    intent: 'referral',
    referral: { name: 'Sarah Lee', email: 'sarah@acme.example' },
  },
  {
    name: 'role then name, phone next sentence',
    text: "You'd be better off speaking with our Head of Growth, Tom Nguyen. His number is 0412 345 678.",
    intent: 'referral',
    referral: { name: 'Tom Nguyen', phone: '0412 345 678' },
  },
  {
    name: 'cc a colleague by name',
    text: "I've cc'd my colleague James who manages our digital marketing.",
    intent: 'referral',
    referral: { name: 'James' },
  },
  { name: 'email only', text: 'Please reach out to marketing@acme.example instead.', intent: 'referral', referral: { email: 'marketing@acme.example' } },
  {
    name: 'wrong person, try email',
    text: 'Wrong person, try John.Smith@Acme.example.com.au',
    intent: 'referral',
    referral: { email: 'john.smith@acme.example.com.au' },
  },
  {
    name: 'referral ignores the replier signature',
    text: 'Best person to talk to is Priya Patel, priya@acme.example\n\nRegards,\nBob Jones\nbob@acme.example | 0412 999 888',
    intent: 'referral',
    referral: { name: 'Priya Patel', email: 'priya@acme.example' },
  },

  {
    name: 'forward the proposal to',
    text: 'Please forward your proposal to procurement@acme.example',
    intent: 'referral',
    referral: { email: 'procurement@acme.example' },
  },
  {
    name: 'office number, ask for a name',
    text: 'Please call our office on (02) 9876 5432 and ask for Mike.',
    intent: 'referral',
    referral: { name: 'Mike', phone: '(02) 9876 5432' },
  },
  {
    name: 'that would be our CEO',
    text: "I'm not the decision maker, that would be our CEO, Mark.",
    intent: 'referral',
    referral: { name: 'Mark' },
  },

  // wrong_person
  { name: 'no longer works here', text: 'John no longer works here.', intent: 'wrong_person' },
  { name: 'not the right person', text: "I'm not the right person to speak to about this.", intent: 'wrong_person' },
  { name: 'not my area, no contact', text: "This isn't my area, sorry. Please contact our marketing team.", intent: 'wrong_person' },
  { name: 'left the company', text: 'She has left the company.', intent: 'wrong_person' },
  { name: 'forwarded internally', text: 'I have forwarded your email to our marketing manager.', intent: 'wrong_person' },

  // low confidence: mixed signals or none
  { name: 'bare ok', text: 'ok', intent: 'interested', low: true },
  {
    name: 'mixed: not SEO but ads',
    text: 'Not interested in SEO but could be interested in paid ads. What do you charge?',
    intent: 'interested',
    low: true,
  },
  { name: 'thanks only', text: 'Thanks', intent: 'question', low: true },
  { name: 'away but keen (a person, not an auto-reply)', text: "I'm away next week but keen to chat when I'm back", intent: 'meeting_request', low: true },
  {
    name: 'a person out of the office who still wants info',
    text: "Can you send me more info? I'm out of the office next week though.",
    intent: 'interested',
    low: true,
  },
  { name: 'unsure', text: "Not sure if we'd be interested, what's involved?", intent: 'interested', low: true },
  { name: 'empty after stripping', text: 'Sent from my iPhone' + QUOTED_PITCH, intent: 'question', low: true },
];

describe('classifyReply', () => {
  it('has at least 60 cases covering every intent', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.intent))).toEqual(new Set(INTENTS));
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = classifyReply(c.text, { receivedAt: WEDNESDAY, ...c.opts });
    expect(r.intent).toBe(c.intent);
    if (c.low) {
      expect(r.confidence).toBeLessThan(REVIEW_THRESHOLD);
      expect(r.signals).toContain('needs_review');
    } else {
      expect(r.confidence).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
    }
    if (c.returnDate !== undefined) expect(r.returnDate).toBe(c.returnDate ?? undefined);
    if (c.referral) expect(r.referral).toEqual(c.referral);
    else expect(r.referral).toBeUndefined();
    if (c.intent !== 'out_of_office') expect(r.returnDate).toBeUndefined();
    // Every result is valid against the schema the AI classifier will be held to.
    expect(ReplyClassificationSchema.parse(r)).toEqual(r);
  });

  it('lets the reply decide, not the quoted pitch', () => {
    const r = classifyReply('Thursday 3pm works.' + QUOTED_PITCH, { receivedAt: WEDNESDAY });
    expect(r.intent).toBe('meeting_request');
    expect(r.signals).toContain('stripped:quoted');
    expect(r.signals.some((s) => s.startsWith('unsubscribe'))).toBe(false);
  });

  it('ranks strong signals above hints', () => {
    const strong = classifyReply('Not interested, thanks.', { receivedAt: WEDNESDAY });
    const soft = classifyReply('Not right now.', { receivedAt: WEDNESDAY });
    expect(strong.confidence).toBeGreaterThan(soft.confidence);
    expect(classifyReply('STOP', { receivedAt: WEDNESDAY }).confidence).toBe(0.99);
  });

  it('gives no return date rather than a wrong one when receivedAt is invalid', () => {
    const r = classifyReply('Automatic reply: back tomorrow', { receivedAt: new Date('nonsense') });
    expect(r).toMatchObject({ intent: 'out_of_office' });
    expect(r.returnDate).toBeUndefined();
  });

  it('never throws on odd input', () => {
    for (const text of ['', '   ', '\n\n>\n>', '????', '🙂', 'a'.repeat(20_000), undefined as unknown as string]) {
      const r = classifyReply(text, { receivedAt: WEDNESDAY });
      expect(INTENTS).toContain(r.intent);
      expect(ReplyClassificationSchema.safeParse(r).success).toBe(true);
    }
  });
});

describe('extractReplyText', () => {
  it('cuts "On … wrote:" wrapped over two lines', () => {
    const t = extractReplyText('Sounds good.\n\nOn Tue, 6 Jan 2026 at 9:14 am, Sam Smith <sam@agency.example>\nwrote:\n> pitch');
    expect(t).toEqual({ text: 'Sounds good.', quotedStripped: true, signatureStripped: false });
  });

  it('cuts -----Original Message----- and keeps inline answers between quoted lines', () => {
    expect(extractReplyText('Yes\n-----Original Message-----\nFrom: x').text).toBe('Yes');
    expect(extractReplyText('> Are you free Friday?\nYes, Friday works\n> Or Monday?').text).toBe('Yes, Friday works');
  });

  it('cuts a signature after a sign-off but not a reply that starts with thanks', () => {
    expect(extractReplyText('Sure.\nKind regards,\nBob\n0412 345 678').text).toBe('Sure.');
    expect(extractReplyText('Hi Sam,\nThanks, not interested.').text).toBe('Hi Sam,\nThanks, not interested.');
    expect(extractReplyText('Call me.\n-- \nBob Jones | CEO').text).toBe('Call me.');
  });
});

describe('ReplyClassificationSchema', () => {
  const valid = { intent: 'out_of_office', confidence: 0.9, returnDate: '2026-01-12', signals: ['x'] };

  it('accepts a valid classification and rejects what the AI might get wrong', () => {
    expect(ReplyClassificationSchema.safeParse(valid).success).toBe(true);
    const bad = [
      { ...valid, intent: 'maybe' },
      { ...valid, confidence: 1.2 },
      { ...valid, returnDate: '2026-02-30' },
      { ...valid, returnDate: '12/01/2026' },
      { ...valid, intent: 'interested' }, // returnDate only for out_of_office
      { intent: 'referral', confidence: 0.8, referral: {}, signals: [] }, // referral with nothing in it
      { intent: 'referral', confidence: 0.8, referral: { email: 'not-an-email' }, signals: [] },
      { intent: 'interested', confidence: 0.8 }, // signals missing
    ];
    for (const b of bad) expect(ReplyClassificationSchema.safeParse(b).success).toBe(false);
  });

  it('names the offending field', () => {
    const r = ReplyClassificationSchema.safeParse({ ...valid, intent: 'question' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('returnDate');
  });
});

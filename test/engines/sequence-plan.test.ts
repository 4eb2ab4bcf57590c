import {
  GROWTH_ENGINE,
  MAX_DAY,
  SequenceDefinitionSchema,
  adjustForIndustry,
  industryTimingFactor,
  planForLead,
  type PlannedTouch,
  type SequenceDefinition,
} from '../../src/engines/sequence-plan';
import type { AlsTier } from '../../src/engines/scorer';

const days = (plan: SequenceDefinition): number[] => plan.touches.map((t) => t.day);

const plan = (touches: unknown[]): unknown => ({ version: 1, touches });
const email = (number: number, day: number, extra: object = {}) => ({ number, day, channel: 'email', kind: 'email_intro', ...extra });

describe('GROWTH_ENGINE', () => {
  it('is the six-touch plan of the design', () => {
    expect(GROWTH_ENGINE).toEqual({
      version: 1,
      touches: [
        { number: 1, day: 0, channel: 'email', kind: 'email_intro' },
        { number: 2, day: 2, channel: 'linkedin', kind: 'linkedin_connect' },
        { number: 3, day: 4, channel: 'email', kind: 'email_followup', threadWith: 1 },
        { number: 4, day: 7, channel: 'sms', kind: 'sms' },
        { number: 5, day: 10, channel: 'voice', kind: 'voice' },
        { number: 6, day: 14, channel: 'mail', kind: 'mail', fallback: { channel: 'email', kind: 'email_breakup', threadWith: 1 } },
      ],
    });
  });

  it('passes its own schema and cannot be mutated', () => {
    expect(SequenceDefinitionSchema.parse(GROWTH_ENGINE)).toEqual(GROWTH_ENGINE);
    expect(Object.isFrozen(GROWTH_ENGINE.touches[0])).toBe(true);
  });
});

describe('SequenceDefinitionSchema', () => {
  it('accepts custom plans: one touch, ten touches, touches on the same day', () => {
    expect(SequenceDefinitionSchema.safeParse(plan([email(1, 0)])).success).toBe(true);
    const ten = Array.from({ length: 10 }, (_, i) => email(i + 1, i * 2));
    expect(SequenceDefinitionSchema.safeParse(plan(ten)).success).toBe(true);
    const sameDay = [email(1, 0), { number: 2, day: 0, channel: 'linkedin', kind: 'linkedin_connect' }];
    expect(SequenceDefinitionSchema.safeParse(plan(sameDay)).success).toBe(true);
    const gaps = [email(2, 0), email(5, 3, { kind: 'email_followup', threadWith: 2 })];
    expect(SequenceDefinitionSchema.safeParse(plan(gaps)).success).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['no touches', plan([]), 'touches'],
    ['eleven touches', plan(Array.from({ length: 11 }, (_, i) => email(i + 1, i))), 'touches'],
    ['duplicate numbers', plan([email(1, 0), email(1, 2)]), 'touches.1.number'],
    ['descending numbers', plan([email(2, 0), email(1, 2)]), 'touches.1.number'],
    ['number 0', plan([email(0, 0)]), 'touches.0.number'],
    ['decreasing days', plan([email(1, 4), email(2, 2)]), 'touches.1.day'],
    ['negative day', plan([email(1, -1)]), 'touches.0.day'],
    ['fractional day', plan([email(1, 1.5)]), 'touches.0.day'],
    ['day beyond a year', plan([email(1, MAX_DAY + 1)]), 'touches.0.day'],
    ['threadWith a later touch', plan([email(1, 0, { threadWith: 2 }), email(2, 1)]), 'touches.0.threadWith'],
    ['threadWith itself', plan([email(1, 0, { threadWith: 1 })]), 'touches.0.threadWith'],
    ['threadWith an unknown touch', plan([email(1, 0), email(2, 1, { threadWith: 9 })]), 'touches.1.threadWith'],
    ['threadWith a non-email touch', plan([{ number: 1, day: 0, channel: 'sms', kind: 'sms' }, email(2, 1, { threadWith: 1 })]), 'touches.1.threadWith'],
    ['a threaded SMS', plan([email(1, 0), { number: 2, day: 1, channel: 'sms', kind: 'sms', threadWith: 1 }]), 'touches.1.threadWith'],
    ['a kind the channel cannot send', plan([{ number: 1, day: 0, channel: 'sms', kind: 'email_intro' }]), 'touches.0.kind'],
    ['an unknown channel', plan([{ number: 1, day: 0, channel: 'fax', kind: 'sms' }]), 'touches.0.channel'],
    ['an unknown kind', plan([{ number: 1, day: 0, channel: 'email', kind: 'email_poem' }]), 'touches.0.kind'],
    ['a fallback on the same channel', plan([email(1, 0, { fallback: { channel: 'email', kind: 'email_breakup' } })]), 'touches.0.fallback.channel'],
    [
      'a fallback kind its channel cannot send',
      plan([{ number: 1, day: 0, channel: 'mail', kind: 'mail', fallback: { channel: 'email', kind: 'sms' } }]),
      'touches.0.fallback.kind',
    ],
    [
      'a fallback threaded to a later touch',
      plan([{ number: 1, day: 0, channel: 'mail', kind: 'mail', fallback: { channel: 'email', kind: 'email_breakup', threadWith: 2 } }, email(2, 1)]),
      'touches.0.fallback.threadWith',
    ],
    ['an unknown field', plan([email(1, 0, { delayHours: 3 })]), 'touches.0'],
    ['another version', { version: 2, touches: [email(1, 0)] }, 'version'],
  ])('rejects %s', (_label, input, path) => {
    const r = SequenceDefinitionSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('industryTimingFactor', () => {
  it.each<[string | null, number]>([
    ['SaaS', 0.8],
    ['Computer Software', 0.8],
    ['IT Services', 0.8],
    ['Information Technology & Services', 0.8],
    ['Health Tech', 0.8], // the first matching row wins
    ['Hospital & Health Care', 1.3],
    ['Healthcare', 1.3],
    ['Legal Services', 1.3],
    ['Law Practice', 1.3],
    ['Financial Services', 1.3],
    ['Government Administration', 1.3],
    ['Hospitality', 1],
    ['Retail', 1],
    ['Mining', 1],
    ['Digital', 1], // "it" only as a whole word
    ['', 1],
    [null, 1],
  ])('%p → %p', (industry, factor) => {
    expect(industryTimingFactor(industry)).toBe(factor);
  });
});

describe('adjustForIndustry', () => {
  it.each<[string, number[]]>([
    ['SaaS', [0, 2, 3, 6, 8, 11]],
    ['Healthcare', [0, 3, 5, 9, 13, 18]],
    ['Legal', [0, 3, 5, 9, 13, 18]],
    ['Hospitality', [0, 2, 4, 7, 10, 14]],
    ['Retail', [0, 2, 4, 7, 10, 14]],
  ])('%s → %j', (industry, expected) => {
    const adjusted = adjustForIndustry(GROWTH_ENGINE, industry);
    expect(days(adjusted)).toEqual(expected);
    expect(SequenceDefinitionSchema.safeParse(adjusted).success).toBe(true);
    expect(adjusted.touches.map((t) => t.channel)).toEqual(GROWTH_ENGINE.touches.map((t) => t.channel));
  });

  it('returns the plan itself when nothing changes, and never mutates its input', () => {
    expect(adjustForIndustry(GROWTH_ENGINE, 'Retail')).toBe(GROWTH_ENGINE);
    expect(adjustForIndustry(GROWTH_ENGINE, undefined)).toBe(GROWTH_ENGINE);
    adjustForIndustry(GROWTH_ENGINE, 'SaaS');
    expect(days(GROWTH_ENGINE)).toEqual([0, 2, 4, 7, 10, 14]);
  });

  it('keeps touches on different days at least a day apart and same-day touches together', () => {
    // ×0.8: 2 → 2 and 3 → 2.4 → 2 would merge; 5 and 5 stay together.
    const custom = SequenceDefinitionSchema.parse(plan([email(1, 2), email(2, 3), email(3, 5), email(4, 5)]));
    expect(days(adjustForIndustry(custom, 'SaaS'))).toEqual([2, 3, 4, 4]);
  });

  it('caps days at a year', () => {
    const late = SequenceDefinitionSchema.parse(plan([email(1, 0), email(2, 300)]));
    expect(days(adjustForIndustry(late, 'Government'))).toEqual([0, MAX_DAY]);
  });
});

describe('planForLead', () => {
  const summary = (touches: PlannedTouch[]) =>
    touches.map((t) => (t.status === 'planned' ? `${t.number}:${t.channel}/${t.kind}${t.threadWith ? `>${t.threadWith}` : ''}` : `${t.number}:skip`));

  it.each<[AlsTier, string[]]>([
    ['hot', ['1:email/email_intro', '2:linkedin/linkedin_connect', '3:email/email_followup>1', '4:sms/sms', '5:voice/voice', '6:mail/mail']],
    ['warm', ['1:email/email_intro', '2:linkedin/linkedin_connect', '3:email/email_followup>1', '4:skip', '5:voice/voice', '6:email/email_breakup>1']],
    ['cool', ['1:email/email_intro', '2:linkedin/linkedin_connect', '3:email/email_followup>1', '4:skip', '5:skip', '6:email/email_breakup>1']],
    ['cold', ['1:email/email_intro', '2:skip', '3:email/email_followup>1', '4:skip', '5:skip', '6:email/email_breakup>1']],
    ['dead', ['1:skip', '2:skip', '3:skip', '4:skip', '5:skip', '6:skip']],
  ])('%s', (tier, expected) => {
    expect(summary(planForLead(GROWTH_ENGINE, tier))).toEqual(expected);
  });

  it('says why a touch is skipped and keeps its own channel', () => {
    const warm = planForLead(GROWTH_ENGINE, 'warm');
    expect(warm[3]).toEqual({ number: 4, day: 7, channel: 'sms', kind: 'sms', status: 'skipped', reason: 'channel_not_allowed_for_tier:warm' });
    for (const t of planForLead(GROWTH_ENGINE, 'dead')) {
      expect(t.reason).toBe('channel_not_allowed_for_tier:dead');
      expect(t).not.toHaveProperty('threadWith');
    }
  });

  it('marks a fallback', () => {
    expect(planForLead(GROWTH_ENGINE, 'cold')[5]).toEqual({
      number: 6,
      day: 14,
      channel: 'email',
      kind: 'email_breakup',
      threadWith: 1,
      status: 'planned',
      fallbackFrom: 'mail',
    });
    expect(planForLead(GROWTH_ENGINE, 'hot')[5]).not.toHaveProperty('fallbackFrom');
  });

  it('skips a touch whose fallback is not allowed either', () => {
    const custom = SequenceDefinitionSchema.parse(
      plan([email(1, 0), { number: 2, day: 3, channel: 'voice', kind: 'voice', fallback: { channel: 'sms', kind: 'sms' } }]),
    );
    expect(planForLead(custom, 'cool')[1]).toMatchObject({ status: 'skipped', reason: 'channel_not_allowed_for_tier:cool' });
    expect(planForLead(custom, 'hot')[1]).toMatchObject({ status: 'planned', channel: 'voice' });
  });

  it('uses the adjusted days', () => {
    expect(planForLead(adjustForIndustry(GROWTH_ENGINE, 'SaaS'), 'cold').map((t) => t.day)).toEqual([0, 2, 3, 6, 8, 11]);
  });
});

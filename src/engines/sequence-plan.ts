// Sequence definitions as data: the default "Growth Engine" six-touch plan, the zod schema campaigns'
// custom plans are validated with, timing adjusted by industry, and the per-lead plan (which touches a
// lead's ALS tier allows). A definition is stored on the campaign with its version; each lead stays
// pinned to the version it started with.
import { z } from 'zod';
import { CHANNELS, type Channel } from '../shared/domain/channels';
import { isChannelAllowed } from './allocator';
import type { AlsTier } from './scorer';

export const TOUCH_KINDS = ['email_intro', 'linkedin_connect', 'email_followup', 'sms', 'voice', 'mail', 'email_breakup'] as const;
export type TouchKind = (typeof TOUCH_KINDS)[number];

/** Which kinds each channel can carry. */
const KINDS_BY_CHANNEL: Readonly<Record<Channel, readonly TouchKind[]>> = {
  email: ['email_intro', 'email_followup', 'email_breakup'],
  linkedin: ['linkedin_connect'],
  sms: ['sms'],
  voice: ['voice'],
  mail: ['mail'],
};

export const MAX_TOUCHES = 10;
/** Touch numbers are stored as PostgreSQL integers; a sequence has at most MAX_TOUCHES of them, so
 * 1..100 leaves room for gaps and stays far inside int range. */
export const MAX_TOUCH_NUMBER = 100;
/** The last day a touch may be planned for: a year after enrolment. */
export const MAX_DAY = 365;

const channelSchema = z.enum(CHANNELS);
const kindSchema = z.enum(TOUCH_KINDS);

const fallbackSchema = z.strictObject({
  channel: channelSchema,
  kind: kindSchema,
  /** For an email fallback: thread it under this earlier email touch. */
  threadWith: z.number().int().min(1).max(MAX_TOUCH_NUMBER).optional(),
});

const touchSchema = z.strictObject({
  number: z.number().int().min(1).max(MAX_TOUCH_NUMBER),
  /** Business days after enrolment (day 0 = the enrolment day). */
  day: z.number().int().min(0).max(MAX_DAY),
  channel: channelSchema,
  kind: kindSchema,
  /** Send as a reply in the thread of this earlier email touch (In-Reply-To/References). */
  threadWith: z.number().int().min(1).max(MAX_TOUCH_NUMBER).optional(),
  /** Used instead when the lead's tier does not allow `channel`. */
  fallback: fallbackSchema.optional(),
});

export const SequenceDefinitionSchema = z
  .strictObject({
    version: z.literal(1),
    touches: z.array(touchSchema).min(1).max(MAX_TOUCHES),
  })
  .superRefine((plan, ctx) => {
    const emailNumbers = new Set<number>();
    plan.touches.forEach((t, i) => {
      const issue = (message: string, ...path: (string | number)[]): void => ctx.addIssue({ code: 'custom', message, path: ['touches', i, ...path] });
      const prev = plan.touches[i - 1];
      if (prev && t.number <= prev.number) issue('touch numbers must be unique and ascending', 'number');
      if (prev && t.day < prev.day) issue('touch days must not decrease', 'day');
      if (!KINDS_BY_CHANNEL[t.channel].includes(t.kind)) issue(`kind ${t.kind} cannot be sent by ${t.channel}`, 'kind');
      checkThread(t.channel, t.threadWith, emailNumbers, (m) => issue(m, 'threadWith'));
      if (t.fallback) {
        const f = t.fallback;
        if (f.channel === t.channel) issue('fallback must use another channel', 'fallback', 'channel');
        if (!KINDS_BY_CHANNEL[f.channel].includes(f.kind)) issue(`kind ${f.kind} cannot be sent by ${f.channel}`, 'fallback', 'kind');
        checkThread(f.channel, f.threadWith, emailNumbers, (m) => issue(m, 'fallback', 'threadWith'));
      }
      if (t.channel === 'email') emailNumbers.add(t.number);
    });
  });

function checkThread(channel: Channel, threadWith: number | undefined, earlierEmails: Set<number>, fail: (m: string) => void): void {
  if (threadWith === undefined) return;
  if (channel !== 'email') fail('only email touches can be threaded');
  else if (!earlierEmails.has(threadWith)) fail(`threadWith ${threadWith} is not an earlier email touch`);
}

export type SequenceDefinition = z.infer<typeof SequenceDefinitionSchema>;
export type TouchDefinition = SequenceDefinition['touches'][number];

/**
 * The default plan: an intro email, a LinkedIn connection, a threaded follow-up, an SMS, a call,
 * then direct mail, or a threaded break-up email for tiers that may not receive mail.
 */
export const GROWTH_ENGINE: SequenceDefinition = deepFreeze({
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

// ---------------------------------------------------------------------------------------------
// Industry timing: fast-moving buyers get tighter gaps, regulated and procurement-heavy ones room to
// answer. The first matching row wins; unlisted industries (hospitality, retail, …) keep the plan.
// ---------------------------------------------------------------------------------------------

export const INDUSTRY_TIMING: readonly { factor: number; keywords: readonly string[] }[] = [
  {
    factor: 0.8,
    keywords: [
      'saas',
      'software',
      'tech',
      'technology',
      'information technology',
      'it',
      'internet',
      'startup',
      'startups',
      'cloud',
      'fintech',
      'martech',
      'edtech',
    ],
  },
  {
    factor: 1.3,
    keywords: [
      'healthcare',
      'health',
      'medical',
      'hospital',
      'pharmaceutical',
      'pharmaceuticals',
      'legal',
      'law',
      'finance',
      'financial',
      'banking',
      'insurance',
      'accounting',
      'government',
      'public sector',
      'defence',
      'defense',
    ],
  },
  { factor: 1, keywords: ['hospitality', 'retail', 'restaurant', 'restaurants', 'ecommerce', 'e commerce'] },
];

/** The gap multiplier for an industry (1 when unknown). */
export function industryTimingFactor(industry: string | null | undefined): number {
  const words = ` ${(industry ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
  if (words.trim() === '') return 1;
  const row = INDUSTRY_TIMING.find((r) => r.keywords.some((k) => words.includes(` ${k} `)));
  return row?.factor ?? 1;
}

/**
 * Scales every touch's day by the industry's factor, rounded to whole days, keeping the order:
 * touches on the same day stay together and touches on different days stay at least a day apart
 * (up to MAX_DAY, where later touches bunch up).
 */
export function adjustForIndustry(plan: SequenceDefinition, industry: string | null | undefined): SequenceDefinition {
  const factor = industryTimingFactor(industry);
  if (factor === 1) return plan;
  let prevOriginal = -1;
  let prevAdjusted = -1;
  const touches = plan.touches.map((t) => {
    let day = Math.round(t.day * factor);
    if (prevOriginal >= 0) day = t.day === prevOriginal ? prevAdjusted : Math.max(day, prevAdjusted + 1);
    prevOriginal = t.day;
    prevAdjusted = day;
    return { ...t, day: Math.min(day, MAX_DAY) };
  });
  return { ...plan, touches };
}

// ---------------------------------------------------------------------------------------------
// Per-lead plan.
// ---------------------------------------------------------------------------------------------

export interface PlannedTouch {
  number: number;
  day: number;
  channel: Channel;
  kind: TouchKind;
  threadWith?: number;
  status: 'planned' | 'skipped';
  /** Why a touch is skipped: `channel_not_allowed_for_tier:<tier>`. */
  reason?: string;
  /** Set when the fallback replaced the touch's own channel. */
  fallbackFrom?: Channel;
}

/**
 * The plan for a lead of `tier`: a touch whose channel the tier does not allow uses its fallback
 * when that is allowed, else it is skipped (kept in the list, so the timeline can say why). A
 * threaded email whose parent is skipped is sent as a fresh email (threadWith dropped).
 */
export function planForLead(plan: SequenceDefinition, tier: AlsTier): PlannedTouch[] {
  const plannedEmails = new Set<number>();
  return plan.touches.map((t): PlannedTouch => {
    let out: PlannedTouch;
    if (isChannelAllowed(tier, t.channel)) {
      out = { number: t.number, day: t.day, channel: t.channel, kind: t.kind, threadWith: t.threadWith, status: 'planned' };
    } else if (t.fallback && isChannelAllowed(tier, t.fallback.channel)) {
      const f = t.fallback;
      out = { number: t.number, day: t.day, channel: f.channel, kind: f.kind, threadWith: f.threadWith, status: 'planned', fallbackFrom: t.channel };
    } else {
      out = { number: t.number, day: t.day, channel: t.channel, kind: t.kind, status: 'skipped', reason: `channel_not_allowed_for_tier:${tier}` };
    }
    if (out.threadWith !== undefined && !plannedEmails.has(out.threadWith)) out.threadWith = undefined;
    if (out.threadWith === undefined) delete out.threadWith;
    if (out.status === 'planned' && out.channel === 'email') plannedEmails.add(out.number);
    return out;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

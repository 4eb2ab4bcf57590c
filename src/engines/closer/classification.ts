// The shape every reply classifier returns, rule-based or AI. The AI classifier's output is
// validated against `ReplyClassificationSchema`, so both can be routed by the same code.
import { z } from 'zod';

export const INTENTS = [
  'interested',
  'meeting_request',
  'question',
  'not_interested',
  'out_of_office',
  'referral',
  'wrong_person',
  'unsubscribe_request',
] as const;
export type ReplyIntent = (typeof INTENTS)[number];

export const REPLY_LOCALES = ['en-AU', 'en-US', 'en-GB', 'en-NZ'] as const;
export type ReplyLocale = (typeof REPLY_LOCALES)[number];

/** Below this confidence a classification goes to human review instead of being acted on. */
export const REVIEW_THRESHOLD = 0.6;

function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const ReferralContactSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().optional(),
    phone: z
      .string()
      .regex(/^\+?[\d\s().-]{6,25}$/, 'expected a phone number')
      .optional(),
  })
  .refine((r) => r.name !== undefined || r.email !== undefined || r.phone !== undefined, {
    message: 'a referral needs a name, an email or a phone number',
  });
export type ReferralContact = z.infer<typeof ReferralContactSchema>;

export const ReplyClassificationSchema = z
  .object({
    intent: z.enum(INTENTS),
    confidence: z.number().min(0).max(1),
    /** Out-of-office only: the first day the person is back, `YYYY-MM-DD`. */
    returnDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
      .refine(isCalendarDate, 'not a calendar date')
      .optional(),
    /** Referral only: the person the lead pointed us to. */
    referral: ReferralContactSchema.optional(),
    /** Why: the rules (or the model's stated reasons) behind the intent, for the review screen. */
    signals: z.array(z.string()),
  })
  .superRefine((c, ctx) => {
    if (c.returnDate !== undefined && c.intent !== 'out_of_office') {
      ctx.addIssue({ code: 'custom', path: ['returnDate'], message: 'returnDate is only for out_of_office' });
    }
    if (c.referral !== undefined && c.intent !== 'referral') {
      ctx.addIssue({ code: 'custom', path: ['referral'], message: 'referral is only for the referral intent' });
    }
  });
export type ReplyClassification = z.infer<typeof ReplyClassificationSchema>;

export interface ClassifyReplyOptions {
  /** When the reply arrived: relative return dates ("back next week") are counted from it. */
  receivedAt: Date;
  /** Reads numeric dates: d/m/y for en-AU, en-GB, en-NZ (default en-AU), m/d/y for en-US. */
  locale?: ReplyLocale;
  /** The email subject; auto-reply subjects ("Automatic reply: …") mark out-of-office replies. */
  subject?: string;
  /** IANA zone whose calendar date `receivedAt` falls on (the lead's); default UTC. */
  timeZone?: string;
}

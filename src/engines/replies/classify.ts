// Reply intent: Claude (structured output validated by the closer's ReplyClassificationSchema,
// budget-checked by the spend limiter) when an API key is configured, the closer's rule classifier
// otherwise, and the rule classifier again whenever the AI call fails for any reason.
import { callStructured, type AiDeps } from '../ai/structured';
import { classifyReply } from '../closer/rule-classifier';
import { ReplyClassificationSchema, type ReplyClassification, type ReplyLocale } from '../closer/classification';

export interface ReplyContext {
  clientId: string;
  channel: string;
  text: string;
  subject?: string;
  receivedAt: Date;
  locale?: ReplyLocale;
  timeZone?: string;
}

/** `review`: a person chose the intent (a resolved review). */
export type ClassifiedReply = ReplyClassification & { source: 'ai' | 'rules' | 'review'; aiError?: string };

export type ReplyClassifier = (reply: ReplyContext) => Promise<ClassifiedReply>;

const SYSTEM = [
  'You classify replies to B2B outreach (email, SMS, LinkedIn, phone call transcripts) for a marketing agency.',
  'Intents: interested, meeting_request, question, not_interested, out_of_office, referral, wrong_person, unsubscribe_request.',
  'unsubscribe_request wins over everything (any request to stop contact). out_of_office is an automatic or away reply;',
  'give returnDate (YYYY-MM-DD, the first day back) when the text says it. referral names another person to contact;',
  'give their name, email and phone when stated. Quoted earlier messages and signatures are not part of the reply.',
  'confidence is your probability that the intent is right; below 0.6 a human reviews it. signals: short reasons.',
].join(' ');

/** Rules only (no API key, or tests). */
export const ruleClassifier: ReplyClassifier = async (r) => ({
  ...classifyReply(r.text, { receivedAt: r.receivedAt, locale: r.locale, subject: r.subject, timeZone: r.timeZone }),
  source: 'rules',
});

/** Claude first, the rules on any failure (budget exceeded, invalid output, API down). */
export function createReplyClassifier(ai: AiDeps | null): ReplyClassifier {
  if (!ai) return ruleClassifier;
  return async (r) => {
    try {
      const prompt = [
        `Channel: ${r.channel}`,
        `Received: ${r.receivedAt.toISOString()}${r.timeZone ? ` (lead's time zone ${r.timeZone})` : ''}`,
        r.subject ? `Subject: ${r.subject}` : null,
        'Reply:',
        '"""',
        r.text.slice(0, 8_000),
        '"""',
      ]
        .filter((l) => l !== null)
        .join('\n');
      const { output } = await callStructured(
        ai,
        { clientId: r.clientId, purpose: 'reply_classification' },
        {
          tier: 'fast',
          system: SYSTEM,
          prompt,
          toolName: 'classify_reply',
          toolDescription: 'Record the intent of the reply.',
          schema: ReplyClassificationSchema,
          maxTokens: 600,
          temperature: 0,
          maxAttempts: 2,
        },
      );
      return { ...output, source: 'ai' };
    } catch (err) {
      const fallback = await ruleClassifier(r);
      return { ...fallback, aiError: err instanceof Error ? err.message.slice(0, 300) : String(err) };
    }
  };
}

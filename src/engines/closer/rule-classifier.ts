// Deterministic reply-intent classifier: no model, no I/O, so it can run on every reply, in tests and
// when the AI classifier is not available. It reads only the reply's own words, then decides in a
// fixed order, because some intents must win whatever else the text says:
//   1. unsubscribe_request: a legal obligation, beats everything;
//   2. out_of_office: auto-replies often also say "call me" or "contact Jane", which are not ours;
//   3. referral (a named / reachable person) and wrong_person;
//   4. positive (meeting_request, interested) against negative (not_interested), with question as
//      neutral; conflicting signals give a low confidence so a human decides.
// Confidence below REVIEW_THRESHOLD (0.6) means "send to human review".
import { REVIEW_THRESHOLD, type ClassifyReplyOptions, type ReferralContact, type ReplyClassification, type ReplyIntent } from './classification';
import {
  AUTO_ACK,
  AUTO_REPLY_SUBJECT,
  DEFERRAL_RULES,
  HEDGE,
  INTERESTED_RULES,
  MEETING_RULES,
  NEGATED_INTEREST,
  NOT_INTERESTED_RULES,
  OOO_AUTO_RULES,
  OOO_RULES,
  QUESTION_RULES,
  UNSUBSCRIBE_RULES,
  WRONG_PERSON_RULES,
  type Rule,
} from './reply-patterns';
import { extractReferral } from './referral';
import { extractReplyText, normalizeForMatching } from './reply-text';
import { extractReturnDate } from './return-date';

export { INTENTS, REPLY_LOCALES, REVIEW_THRESHOLD, ReplyClassificationSchema } from './classification';
export type { ClassifyReplyOptions, ReferralContact, ReplyClassification, ReplyIntent, ReplyLocale } from './classification';

interface Hits {
  score: number;
  labels: string[];
}

const NONE: Hits = { score: 0, labels: [] };

// A positive phrase right after a negator ("don't send me info", "not open to it") is not positive.
const NEGATOR_BEFORE = /\b(?:don't|do not|doesn't|does not|no need to|never|not|won't|wouldn't|isn't|aren't|can't|cannot)\s+(?:[\w']+\s+){0,2}$/;

function match(rules: Rule[], text: string, opts: { skipNegated?: boolean } = {}): Hits {
  const labels: string[] = [];
  let best = 0;
  for (const rule of rules) {
    const re = new RegExp(rule.re.source, rule.re.flags.includes('g') ? rule.re.flags : `${rule.re.flags}g`);
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      if (opts.skipNegated && NEGATOR_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
      if (!labels.includes(rule.label)) labels.push(rule.label);
      best = Math.max(best, rule.weight);
      break;
    }
  }
  // Several independent phrases agreeing make the intent a little surer.
  const score = labels.length === 0 ? 0 : Math.min(1, best + 0.1 * (labels.length - 1));
  return { score, labels };
}

/** "interested" / "keen" not in the scope of a negator. */
function plainInterest(text: string): Hits {
  const negated: [number, number][] = [];
  for (const m of text.matchAll(NEGATED_INTEREST)) negated.push([m.index, m.index + m[0].length]);
  const inNegation = (i: number): boolean => negated.some(([a, b]) => i >= a && i < b);
  for (const m of text.matchAll(/\b(?:interested|keen)\b/g)) {
    if (!inNegation(m.index)) return { score: m[0] === 'keen' ? 0.9 : 1, labels: [m[0]] };
  }
  return NONE;
}

function negatedInterest(text: string): Hits {
  const m = text.match(NEGATED_INTEREST);
  return m ? { score: 1, labels: [`negated: ${m[0].trim()}`] } : NONE;
}

function merge(a: Hits, b: Hits): Hits {
  if (a.score === 0) return b;
  if (b.score === 0) return a;
  const labels = [...a.labels, ...b.labels.filter((l) => !a.labels.includes(l))];
  return { score: Math.min(1, Math.max(a.score, b.score) + 0.1), labels };
}

/** The clause after the last "but" / "however" / "although", or null when there is none. */
function lastClause(text: string): string | null {
  const parts = text.split(/\b(?:but|however|although|though|unfortunately)\b/);
  return parts.length > 1 ? parts[parts.length - 1] : null;
}

const round = (n: number): number => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
const tag = (intent: string, hits: Hits): string[] => hits.labels.map((l) => `${intent}:${l}`);

function result(
  intent: ReplyIntent,
  confidence: number,
  signals: string[],
  extra: { returnDate?: string; referral?: ReferralContact } = {},
): ReplyClassification {
  const out: ReplyClassification = { intent, confidence: round(confidence), signals };
  if (extra.returnDate !== undefined) out.returnDate = extra.returnDate;
  if (extra.referral !== undefined) out.referral = extra.referral;
  if (out.confidence < REVIEW_THRESHOLD) signals.push('needs_review');
  return out;
}

// Subjects start with our own subject after "Re:", so only explicit opt-out words count there.
const SUBJECT_OPT_OUT = UNSUBSCRIBE_RULES.filter((r) => ['keyword', 'unsubscribe', 'remove me', 'take me off', 'opt out'].includes(r.label));
function subjectOptOut(subject: string): Hits {
  return match(SUBJECT_OPT_OUT, subject.replace(/^(?:\s*(?:re|fw|fwd|aw|sv)\s*:\s*)+/i, ''));
}

// Beyond this the reply is a document, not an answer; bounds the work on pathological input.
const MAX_REPLY_CHARS = 10_000;

interface Reply {
  /** The reply's own words, original casing (names are read from it). */
  text: string;
  /** Normalised for the rules. */
  body: string;
  subject: string;
  opts: ClassifyReplyOptions;
  signals: string[];
  meeting: Hits;
  interested: Hits;
  /** The stronger of meeting / interested. */
  positive: number;
}

function positiveIn(text: string): { meeting: Hits; interested: Hits } {
  return {
    meeting: match(MEETING_RULES, text, { skipNegated: true }),
    interested: merge(plainInterest(text), match(INTERESTED_RULES, text, { skipNegated: true })),
  };
}

function negativeIn(text: string): { hardNo: Hits; deferral: Hits } {
  return { hardNo: merge(negatedInterest(text), match(NOT_INTERESTED_RULES, text)), deferral: match(DEFERRAL_RULES, text) };
}

/** Step 2. Returns a classification, or null to go on (possibly after noting a person who is away). */
function outOfOffice(r: Reply): ReplyClassification | null {
  const auto = match(OOO_AUTO_RULES, r.body);
  const autoSubject = AUTO_REPLY_SUBJECT.test(r.opts.subject ?? '');
  const away = match(OOO_RULES, r.body);
  // "If urgent, call me" alone does not say anyone is away.
  const awayScore = away.labels.some((l) => l !== 'if urgent') ? away.score : 0;
  const classify = (confidence: number, extra: string[]): ReplyClassification => {
    const returnDate = extractReturnDate(r.body, r.opts) ?? (r.subject ? extractReturnDate(r.subject, r.opts) : undefined);
    const signals = [...r.signals, ...extra];
    if (returnDate) signals.push('out_of_office:return date');
    return result('out_of_office', confidence + (returnDate && confidence < 0.9 ? 0.05 : 0), signals, { returnDate });
  };

  if (auto.score > 0 || autoSubject) {
    // An auto-reply: its "call me" / "contact Jane" lines are for urgent matters, not an answer to us.
    const extra = tag('out_of_office', merge(auto, away));
    if (autoSubject) extra.push('out_of_office:auto-reply subject');
    return classify(auto.score > 0 || awayScore > 0 ? 0.95 : 0.85, extra);
  }
  if (awayScore > 0) {
    if (r.positive === 0) return classify(0.5 + 0.4 * awayScore, tag('out_of_office', away));
    // A person who is away but keen: a human decides between pausing and engaging.
    r.signals.push(...tag('out_of_office', away), 'mixed_signals');
    return null;
  }
  if (AUTO_ACK.test(r.body)) {
    // "We received your email": an auto-responder, not a person's answer at all.
    return result('out_of_office', 0.5, [...r.signals, 'out_of_office:auto-acknowledgement']);
  }
  return null;
}

/** Step 3: someone else should get our message. */
function routing(r: Reply): ReplyClassification | null {
  const wrong = match(WRONG_PERSON_RULES, r.body);
  const referral = extractReferral(r.text);
  if (referral) {
    const reachable = referral.contact.email !== undefined || referral.contact.phone !== undefined;
    const confidence = (reachable ? 0.9 : 0.75) + (wrong.score > 0 ? 0.05 : 0);
    const signals = [...r.signals, `referral:${referral.phrase}`, ...tag('wrong_person', wrong)];
    return result('referral', confidence, signals, { referral: referral.contact });
  }
  if (wrong.score > 0) return result('wrong_person', 0.5 + 0.4 * wrong.score, [...r.signals, ...tag('wrong_person', wrong)]);
  return null;
}

/** Step 4: positive against negative, with questions as neutral. */
function sentiment(r: Reply): ReplyClassification {
  const { meeting, interested, positive, body, signals } = r;
  const { hardNo, deferral } = negativeIn(body);
  const question = match(QUESTION_RULES, body);
  const negative = Math.max(hardNo.score, deferral.score);
  const hedged = HEDGE.test(body);
  signals.push(
    ...tag('meeting_request', meeting),
    ...tag('interested', interested),
    ...tag('question', question),
    ...tag('not_interested', hardNo),
    ...tag('deferral', deferral),
  );
  if (hedged) signals.push('hedge');

  if (body.length === 0) return result('question', 0.1, [...signals, 'empty_reply']);
  if (positive === 0 && negative === 0) {
    if (question.score > 0) return result('question', 0.5 + 0.4 * question.score - (hedged ? 0.1 : 0), signals);
    // Nothing to go on ("Thanks", "Let me think about it"): a person has to read it and answer.
    return result('question', 0.3, [...signals, 'no_signals']);
  }

  if (positive === 0) {
    // A question next to a "no" is usually rhetorical ("who gave you my email?").
    if (hardNo.score === 0) {
      // Only "not now": a real question makes it an enquiry; either way a human should judge.
      return result(question.score >= 0.75 ? 'question' : 'not_interested', 0.55, signals);
    }
    let confidence = 0.5 + 0.45 * hardNo.score;
    if (deferral.score > 0) confidence = Math.min(confidence, 0.8);
    if (question.score >= 0.75) confidence -= 0.1;
    return result('not_interested', confidence, signals);
  }

  // The strongest positive intent; a near tie keeps the earlier one (meeting, interested, question).
  const ranked: [ReplyIntent, number][] = [
    ['meeting_request', meeting.score],
    ['interested', interested.score],
    ['question', question.score > 0.5 ? question.score : 0],
  ];
  const [intent, top] = ranked.reduce((best, cur) => (cur[1] > best[1] + 0.05 ? cur : best));

  if (negative > 0) {
    if (!signals.includes('mixed_signals')) signals.push('mixed_signals');
    const w = Math.max(positive, negative);
    const l = Math.min(positive, negative);
    // In "A but B" the part after "but" is what the replier means ("sounds good but not right now").
    const tail = lastClause(body);
    const tailPos = tail !== null && Object.values(positiveIn(tail)).some((h) => h.score > 0);
    const tailNeg = tail !== null && Object.values(negativeIn(tail)).some((h) => h.score > 0);
    const negativeWins = tailNeg !== tailPos ? tailNeg : negative > positive || (negative === positive && hardNo.score === 0);
    return result(negativeWins ? 'not_interested' : intent, Math.min(0.45 + 0.4 * ((w - l) / (w + l)), 0.75), signals);
  }

  let confidence = 0.5 + 0.45 * top;
  if (signals.includes('mixed_signals')) confidence = Math.min(confidence, 0.55);
  if (hedged) confidence -= 0.15;
  if (/\b(?:not sure|unsure|don't know (?:if|whether)|no idea (?:if|whether))\b/.test(body)) confidence = Math.min(confidence, 0.5);
  return result(intent, confidence, signals);
}

export function classifyReply(text: string, opts: ClassifyReplyOptions): ReplyClassification {
  const signals: string[] = [];
  const own = extractReplyText(typeof text === 'string' ? text : '');
  if (own.quotedStripped) signals.push('stripped:quoted');
  if (own.signatureStripped) signals.push('stripped:signature');
  const ownText = own.text.slice(0, MAX_REPLY_CHARS);
  const body = normalizeForMatching(ownText);
  const subject = normalizeForMatching(opts.subject ?? '');

  // 1. Opt-out, whatever else the reply says.
  const unsub = merge(match(UNSUBSCRIBE_RULES, body), subjectOptOut(subject));
  if (unsub.score > 0) {
    const keyword = unsub.labels.includes('keyword');
    return result('unsubscribe_request', keyword ? 0.99 : 0.95, [...signals, ...tag('unsubscribe_request', unsub)]);
  }

  const reply: Reply = { text: ownText, body, subject, opts, signals, ...positiveIn(body), positive: 0 };
  reply.positive = Math.max(reply.meeting.score, reply.interested.score);
  return outOfOffice(reply) ?? routing(reply) ?? sentiment(reply);
}

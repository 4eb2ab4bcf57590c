// The database side of an event, applied once per inbox row inside the transaction that holds the
// row's lock: the Activity row (which also keeps the signal plan, so a retry after a failed signal
// re-sends the same signals without re-applying anything), lead status, suppressions, reviews,
// referral leads, the replies inbox row and the outbound events. Signals are sent afterwards by the
// caller (see process.ts).
import { randomUUID } from 'node:crypto';
import type { Channel, Db, Lead, LeadStatus, Meeting, Prisma } from '../../db/client';
import { REVIEW_THRESHOLD, type ReplyIntent } from '../closer/classification';
import { GLOBAL_SCOPE, normalizeEmail, normalizePhone, suppress } from '../compliance/suppression';
import { emitEvent } from '../events';
import { meetingEventData, OPEN_MEETING_STATUSES, proposeMeeting } from '../meetings';
import type { ClassifiedReply } from './classify';
import type { MatchableEvent } from './events';
import type { LeadMatch } from './match';
import { phoneVariants } from './match';
import type { SenderAuthentication } from './sender-auth';

/** The stop reasons the reply engine uses (a subset of the sequence's StopReason). */
export type ReplyStopReason = 'reply' | 'bounce' | 'unsubscribe' | 'complaint' | 'converted' | 'not_interested' | 'wrong_person' | 'meeting_booked';

export interface EffectPlan {
  stop?: ReplyStopReason;
  outOfOffice?: { returnDate: string };
  /** A referred lead to enrol in the replying lead's campaign (before the stop, so the campaign stays open). */
  enrol?: { clientId: string; campaignId: string; leadId: string };
}

type Tx = Prisma.TransactionClient;

/** A reply that may not act on the lead by itself: it only goes to the review queue. */
export interface HeldReply {
  reason: 'untrusted_sender';
  /** The sender verdicts the decision looked at (see sender-auth.ts). */
  authentication: SenderAuthentication;
  /** The rule classifier's reading, a suggestion for the reviewer. */
  suggested: ClassifiedReply;
}

// Statuses a lead may move to each status from; later, stronger facts are never overwritten.
const OPEN: LeadStatus[] = ['new', 'enriched', 'scored', 'in_sequence'];
const MOVES: Partial<Record<LeadStatus, LeadStatus[]>> = {
  replied: OPEN,
  not_interested: [...OPEN, 'replied'],
  converted: [...OPEN, 'replied', 'not_interested'],
  unsubscribed: [...OPEN, 'replied', 'not_interested', 'converted', 'suppressed'],
  bounced: [...OPEN, 'replied', 'not_interested', 'suppressed'],
};

/** An out-of-office reply without a return date pauses the sequence for a week. */
export const DEFAULT_OOO_DAYS = 7;
const MAX_TEXT = 2_000;
/** The inbox keeps a message's text up to this length (a reply is far shorter; a loop is not). */
export const MAX_BODY = 50_000;

export async function moveLead(tx: Pick<Tx, 'lead'>, leadId: string, to: LeadStatus): Promise<void> {
  await tx.lead.updateMany({ where: { id: leadId, status: { in: MOVES[to] ?? [] } }, data: { status: to } });
}

async function suppressContact(
  tx: Tx,
  a: { clientId: string | null; channel: Channel; email?: string | null; phone?: string | null; reason: string; source: string },
): Promise<string | null> {
  if (a.channel === 'sms' || a.channel === 'voice') {
    if (!a.phone) return null;
    await suppress(tx, { clientId: a.clientId, kind: 'phone', value: a.phone, reason: a.reason, source: a.source });
    return normalizePhone(a.phone);
  }
  if (!a.email) return null;
  await suppress(tx, { clientId: a.clientId, kind: 'email', value: a.email, reason: a.reason, source: a.source });
  return normalizeEmail(a.email);
}

function dayPlus(at: Date, days: number): string {
  return new Date(at.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return {};
  return { firstName: parts[0], ...(parts.length > 1 ? { lastName: parts.slice(1).join(' ') } : {}) };
}

/** The referred person as a lead of the same client (an existing lead with that email is reused). */
async function referralLead(tx: Tx, referrer: Lead, c: ClassifiedReply): Promise<string | null> {
  const r = c.referral;
  if (!r?.email && !r?.phone) return null;
  const existing = r.email
    ? await tx.lead.findFirst({ where: { clientId: referrer.clientId, email: { equals: normalizeEmail(r.email), mode: 'insensitive' } } })
    : await tx.lead.findFirst({ where: { clientId: referrer.clientId, phone: { in: phoneVariants(r.phone!) }, deletedAt: null } });
  if (existing) return existing.id === referrer.id ? null : existing.id;
  const from = referrer;
  const created = await tx.lead.create({
    data: {
      clientId: referrer.clientId,
      email: r.email ? normalizeEmail(r.email) : null,
      phone: r.phone ? normalizePhone(r.phone, from.country ?? 'AU') : null,
      ...splitName(r.name),
      companyName: from.companyName,
      companyDomain: from.companyDomain,
      companyIndustry: from.companyIndustry,
      companySize: from.companySize,
      country: from.country,
      state: from.state,
      city: from.city,
      timeZone: from.timeZone,
      referredByLeadId: referrer.id,
      enrichmentSource: 'referral',
      status: 'new',
    },
  });
  return created.id;
}

/** What a reply says and when, wherever it came from (an inbox event, or the message a review is about). */
export type ReplyText = { text: string; subject?: string; occurredAt: Date };

/** What a reply asks of the sequence, given its classification (a referral also enrols: see applyIntent). */
function replySignals(e: ReplyText, c: ClassifiedReply): Pick<EffectPlan, 'stop' | 'outOfOffice'> {
  // Any human reply stops the sequence; only an automatic away message pauses it instead.
  if (c.confidence < REVIEW_THRESHOLD) return { stop: 'reply' };
  switch (c.intent) {
    case 'interested':
    case 'meeting_request':
      return { stop: 'converted' };
    case 'not_interested':
      return { stop: 'not_interested' };
    case 'wrong_person':
      return { stop: 'wrong_person' };
    case 'unsubscribe_request':
      return { stop: 'unsubscribe' };
    case 'out_of_office':
      return { outOfOffice: { returnDate: c.returnDate ?? dayPlus(e.occurredAt, DEFAULT_OOO_DAYS) } };
    case 'referral':
    case 'question':
      return { stop: 'reply' };
  }
}

/**
 * The stop or pause an event means, known before any database effect, so it can be signalled first
 * (a reply stops its sequence within a second). Null for a referral, whose new lead must be enrolled
 * before the stop (or the campaign could complete first), and for events that signal nothing.
 */
export function earlySignals(event: MatchableEvent, c?: ClassifiedReply): Pick<EffectPlan, 'stop' | 'outOfOffice'> | null {
  switch (event.type) {
    case 'reply':
      if (!c || (c.intent === 'referral' && c.confidence >= REVIEW_THRESHOLD)) return null;
      return replySignals(event, c);
    case 'bounce':
      return { stop: 'bounce' };
    case 'complaint':
      return { stop: 'complaint' };
    case 'unsubscribe':
      return { stop: 'unsubscribe' };
    case 'tracking':
      return null;
  }
}

interface Applied {
  action: string;
  plan: EffectPlan;
  metadata: Record<string, unknown>;
}

/**
 * A reply's effects when they need nothing read first: a review item, a lead move and the Activity
 * row. Null for the intents that read the lead (unsubscribe request, a confident referral).
 */
export interface SimpleReplyEffects extends Applied {
  review?: ReplyIntent | string;
  /** Why the review: low_confidence, question (see ReplyReview.reason). */
  reviewReason?: string;
  moveTo?: LeadStatus;
}

export function simpleReplyEffects(e: ReplyText, c: ClassifiedReply): SimpleReplyEffects | null {
  const text = e.text.slice(0, MAX_TEXT);
  const meta = {
    intent: c.intent,
    confidence: c.confidence,
    classifier: c.source,
    signals: c.signals.slice(0, 20),
    text,
    ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}),
  };
  const plan = replySignals(e, c);
  if (c.confidence < REVIEW_THRESHOLD)
    return { review: c.intent, reviewReason: 'low_confidence', moveTo: 'replied', action: 'replied', plan, metadata: { ...meta, review: true } };
  switch (c.intent) {
    case 'interested':
    case 'meeting_request':
      return { moveTo: 'converted', action: 'replied', plan, metadata: meta };
    case 'not_interested':
    case 'wrong_person':
      return { moveTo: 'not_interested', action: 'replied', plan, metadata: meta };
    case 'out_of_office':
      return { action: 'out_of_office', plan, metadata: { ...meta, returnDate: plan.outOfOffice?.returnDate, returnDateGiven: c.returnDate !== undefined } };
    case 'question':
      return { review: 'question', reviewReason: 'question', moveTo: 'replied', action: 'replied', plan, metadata: { ...meta, review: true } };
    case 'unsubscribe_request':
    case 'referral':
      return null;
  }
}

/**
 * The reply's effects when the one-statement path (applySimpleReplyEffects) can apply them: simple
 * effects that add no review (a review writes rows and an outbound event of its own). A confident
 * meeting request's proposed meeting is written by that statement too.
 */
export function oneStatementEffects(e: ReplyText, c: ClassifiedReply): SimpleReplyEffects | null {
  const simple = simpleReplyEffects(e, c);
  if (!simple || simple.review !== undefined) return null;
  return simple;
}

/** A reply to apply effects for: what it said, whose it is, where it is kept. */
export interface ReplyInput extends ReplyText {
  /** Names the effects' origin: suppression sources, review rows (`reply:<id>`). */
  sourceId: string;
  webhookEventId: string | null;
  /** Its inbox row (inbound_messages). */
  messageId: string;
  clientId: string;
  leadId: string;
  campaignId: string | null;
  channel: Channel;
  /** The sender's address as the message gave it (else the lead's own is used). */
  contact: { email?: string; phone?: string };
}

/** What the system did with a reply, as the inbox lists it. */
export function replyActions(intent: string, confidence: number, applied: Applied): string[] {
  const out: string[] = [];
  const meta = applied.metadata;
  if (applied.plan.stop) out.push('stopped');
  if (applied.plan.outOfOffice) out.push('paused_out_of_office');
  // From what was applied, not the intent alone: a held reply's intent is only a suggestion.
  if (applied.plan.stop === 'unsubscribe' && intent === 'unsubscribe_request') out.push('unsubscribed');
  if (typeof meta.referredLeadId === 'string') out.push('referral_lead_created');
  if (typeof meta.meetingId === 'string' && meta.meetingCreated === true) out.push('meeting_proposed');
  if (meta.review === true) out.push('review');
  return out;
}

/** A review item for a reply, with its reply.needs_review event. */
async function addReview(tx: Tx, r: ReplyInput, a: { intent: string; confidence: number; reason: string; evidence?: Record<string, unknown> }): Promise<void> {
  const row = await tx.replyReview.create({
    data: {
      clientId: r.clientId,
      leadId: r.leadId,
      webhookEventId: r.webhookEventId,
      messageId: r.messageId,
      channel: r.channel,
      text: r.text.slice(0, MAX_TEXT),
      intent: a.intent,
      confidence: a.confidence,
      reason: a.reason,
      ...(a.evidence ? { evidence: a.evidence as Prisma.InputJsonValue } : {}),
    },
  });
  await emitEvent(tx, {
    clientId: r.clientId,
    type: 'reply.needs_review',
    leadId: r.leadId,
    data: {
      reviewId: row.id,
      replyId: r.messageId,
      leadId: r.leadId,
      campaignId: r.campaignId,
      channel: r.channel,
      intent: a.intent,
      confidence: a.confidence,
      reason: a.reason,
      stale: false,
    },
  });
}

/**
 * A held reply: a review item that explains itself (reason, the sender verdicts, the suggested
 * intent). The lead, its suppressions and its sequences are left alone: the plan is empty. A
 * reviewer who resolves it applies the chosen intent through applyIntent, like any other review.
 */
async function holdReply(tx: Tx, r: ReplyInput, e: Extract<MatchableEvent, { type: 'reply' }>, m: LeadMatch, held: HeldReply): Promise<Applied> {
  const evidence = {
    from: e.sender?.from ?? e.match.email ?? null,
    matchedVia: m.via,
    authentication: held.authentication,
    suggested: { intent: held.suggested.intent, confidence: held.suggested.confidence, classifier: held.suggested.source },
  };
  await addReview(tx, r, { intent: held.suggested.intent, confidence: held.suggested.confidence, reason: held.reason, evidence });
  const metadata = {
    review: true,
    reason: held.reason,
    text: r.text.slice(0, MAX_TEXT),
    ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}),
    ...evidence,
  };
  return { action: 'reply_held', plan: {}, metadata };
}

/**
 * THE function that turns a reply's intent into its effects: lead status, suppression, referral
 * lead, proposed meeting, review item (with its reply.needs_review event), and the signal plan.
 * Automatic classification and a reviewer's resolution both go through it; `reviewed` means a
 * person chose the intent, so nothing goes back to review.
 */
export async function applyIntent(tx: Tx, r: ReplyInput, c: ClassifiedReply, opts: { reviewed?: boolean } = {}): Promise<Applied> {
  // Read only by the intents that need the lead's details (most replies need none).
  const lead = () => tx.lead.findUniqueOrThrow({ where: { id: r.leadId } });
  const text = r.text.slice(0, MAX_TEXT);
  const review = async (intent: ReplyIntent | string, reason: string): Promise<boolean> => {
    if (opts.reviewed) return false;
    await addReview(tx, r, { intent, confidence: c.confidence, reason });
    return true;
  };
  const meta = {
    intent: c.intent,
    confidence: c.confidence,
    classifier: c.source,
    signals: c.signals.slice(0, 20),
    text,
    ...(r.subject ? { subject: r.subject.slice(0, 300) } : {}),
  };

  const simple = simpleReplyEffects(r, c);
  if (simple) {
    const reviewed = simple.review !== undefined && (await review(simple.review, simple.reviewReason ?? 'low_confidence'));
    if (simple.moveTo) await moveLead(tx, r.leadId, simple.moveTo);
    const metadata: Record<string, unknown> = { ...simple.metadata, review: reviewed || undefined };
    if (c.intent === 'meeting_request' && c.confidence >= REVIEW_THRESHOLD) {
      const { meeting, created } = await proposeMeeting(tx, {
        clientId: r.clientId,
        leadId: r.leadId,
        campaignId: r.campaignId,
        inboundMessageId: r.messageId,
      });
      Object.assign(metadata, { meetingId: meeting.id, meetingCreated: created });
    }
    return { action: simple.action, plan: simple.plan, metadata };
  }
  const plan = replySignals(r, c);
  switch (c.intent) {
    case 'unsubscribe_request': {
      const { email, phone } = await lead();
      const value = await suppressContact(tx, {
        clientId: r.clientId,
        channel: r.channel,
        email: r.contact.email ?? email,
        phone: r.contact.phone ?? phone,
        reason: 'unsubscribe_request',
        source: `reply:${r.sourceId}`,
      });
      await moveLead(tx, r.leadId, 'unsubscribed');
      await emitEvent(tx, {
        clientId: r.clientId,
        leadId: r.leadId,
        type: 'lead.unsubscribed',
        data: { campaignId: r.campaignId, channel: r.channel, source: 'reply', occurredAt: r.occurredAt.toISOString() },
      });
      return { action: 'replied', plan, metadata: { ...meta, suppressed: value } };
    }
    case 'referral': {
      const referredId = await referralLead(tx, await lead(), c);
      await moveLead(tx, r.leadId, 'replied');
      if (!referredId) {
        const reviewed = await review('referral', 'referral_incomplete');
        return { action: 'replied', plan, metadata: { ...meta, review: reviewed || undefined, referral: c.referral ?? null } };
      }
      const campaignId =
        r.campaignId ?? (await tx.campaignEnrollment.findFirst({ where: { leadId: r.leadId }, orderBy: { createdAt: 'desc' } }))?.campaignId ?? null;
      const withEnroll: EffectPlan = { ...plan, ...(campaignId ? { enrol: { clientId: r.clientId, campaignId, leadId: referredId } } : {}) };
      return { action: 'replied', plan: withEnroll, metadata: { ...meta, referral: c.referral ?? null, referredLeadId: referredId } };
    }
    default:
      throw new Error(`reply intent ${c.intent} has simple effects`);
  }
}

/** The touch of ours a reply answers: the lead's latest send (on the campaign, when known) before it arrived. */
export async function answeredTouch(tx: Pick<Tx, 'activity'>, a: { leadId: string; campaignId: string | null; before: Date }): Promise<number | null> {
  const sent = await tx.activity.findFirst({
    where: { leadId: a.leadId, action: 'sent', ...(a.campaignId ? { campaignId: a.campaignId } : {}), createdAt: { lte: a.before } },
    orderBy: { createdAt: 'desc' },
    select: { touchNumber: true },
  });
  return sent?.touchNumber ?? null;
}

async function applyOther(tx: Tx, eventId: string, e: Exclude<MatchableEvent, { type: 'reply' }>, m: LeadMatch): Promise<Applied> {
  const lead = await tx.lead.findUniqueOrThrow({ where: { id: m.leadId } });
  const email = e.match.email ?? lead.email;
  const phone = e.match.phone ?? lead.phone;
  const source = `webhook:${eventId}`;
  switch (e.type) {
    case 'bounce': {
      // The address does not exist: that is true for every tenant, so the suppression is global.
      const value = await suppressContact(tx, { clientId: null, channel: 'email', email, reason: 'hard_bounce', source });
      await moveLead(tx, m.leadId, 'bounced');
      return { action: 'bounced', plan: { stop: 'bounce' }, metadata: { suppressed: value, scope: GLOBAL_SCOPE } };
    }
    case 'complaint': {
      const value = await suppressContact(tx, { clientId: m.clientId, channel: 'email', email, reason: 'spam_complaint', source });
      await moveLead(tx, m.leadId, 'unsubscribed');
      return { action: 'complained', plan: { stop: 'complaint' }, metadata: { suppressed: value } };
    }
    case 'unsubscribe': {
      const value = await suppressContact(tx, { clientId: m.clientId, channel: e.channel, email, phone, reason: e.source, source });
      await moveLead(tx, m.leadId, 'unsubscribed');
      return { action: 'unsubscribed', plan: { stop: 'unsubscribe' }, metadata: { suppressed: value, source: e.source } };
    }
    case 'tracking': {
      if (e.action === 'resubscribed' && e.channel === 'sms' && phone) {
        // START is the recipient opting back in to this sender: lift the STOP suppression only.
        await tx.suppression.updateMany({
          where: { scope: m.clientId, kind: 'phone', value: normalizePhone(phone), reason: 'sms_stop', deletedAt: null },
          data: { deletedAt: new Date() },
        });
      }
      return { action: e.action, plan: {}, metadata: {} };
    }
  }
}

// ---- Outbound events (client webhooks): what each inbound event tells the client's own systems. ----

function replyEventData(e: Extract<MatchableEvent, { type: 'reply' }>, m: LeadMatch, c: ClassifiedReply, review: boolean): Record<string, unknown> {
  return {
    campaignId: m.campaignId,
    channel: e.channel,
    intent: c.intent,
    confidence: c.confidence,
    needsReview: review,
    ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}),
    text: e.text.slice(0, MAX_TEXT),
    occurredAt: e.occurredAt.toISOString(),
  };
}

/** Events of a bounce, an unsubscribe or a complaint (a reply's are emitted where it is applied). */
async function emitInboundEvents(tx: Tx, e: Exclude<MatchableEvent, { type: 'reply' }>, m: LeadMatch): Promise<void> {
  const base = { clientId: m.clientId, leadId: m.leadId };
  const occurredAt = e.occurredAt.toISOString();
  if (e.type === 'bounce') {
    await emitEvent(tx, { ...base, type: 'lead.bounced', data: { campaignId: m.campaignId, channel: e.channel, occurredAt } });
  } else if (e.type === 'unsubscribe' || e.type === 'complaint') {
    await emitEvent(tx, {
      ...base,
      type: 'lead.unsubscribed',
      data: { campaignId: m.campaignId, channel: e.channel, source: e.type === 'complaint' ? 'complaint' : e.source, occurredAt },
    });
  }
}

/** Applies the event's database effects and returns its signal plan (the caller marks the row). */
export async function applyEventEffects(
  tx: Tx,
  a: { eventId: string; event: MatchableEvent; match: LeadMatch; classification?: ClassifiedReply; held?: HeldReply },
): Promise<EffectPlan> {
  const { event, match } = a;
  let applied: Applied;
  if (event.type === 'reply') {
    // A held reply is in the inbox too, with the classifier's suggestion as its intent.
    const c = a.held?.suggested ?? a.classification;
    if (!c) throw new Error('a reply needs its classification');
    const input = replyInputOf(a.eventId, randomUUID(), event, match);
    const receivedAt = new Date();
    // The inbox row first: a review and a proposed meeting name it.
    await tx.inboundMessage.create({
      data: {
        id: input.messageId,
        clientId: match.clientId,
        leadId: match.leadId,
        campaignId: match.campaignId,
        channel: event.channel,
        touchNumber: await answeredTouch(tx, { leadId: match.leadId, campaignId: match.campaignId, before: receivedAt }),
        webhookEventId: a.eventId,
        providerMessageId: providerMessageIdOf(event),
        subject: inboxSubject(event),
        body: event.text.slice(0, MAX_BODY),
        intent: c.intent,
        confidence: c.confidence,
        actions: [],
        receivedAt: event.occurredAt,
      },
    });
    // reply.received comes first in the lead's event order: what the reply caused (a review, a
    // meeting, an unsubscribe) follows it. Whether it needs review is known once applied; the row is
    // invisible to others until the transaction commits, so completing it here is safe.
    const received = await emitEvent(tx, {
      clientId: match.clientId,
      leadId: match.leadId,
      type: 'reply.received',
      data: replyEventData(event, match, c, false),
    });
    applied = a.held ? await holdReply(tx, input, event, match, a.held) : await applyIntent(tx, input, c);
    if (applied.metadata.review === true) {
      await tx.outboundEvent.update({ where: { id: received.id }, data: { data: replyEventData(event, match, c, true) as Prisma.InputJsonValue } });
    }
    await tx.inboundMessage.update({ where: { id: input.messageId }, data: { actions: replyActions(c.intent, c.confidence, applied) } });
    applied.metadata.inboundMessageId = input.messageId;
  } else {
    applied = await applyOther(tx, a.eventId, event, match);
    await emitInboundEvents(tx, event, match);
  }
  await tx.activity.create({ data: activityData(a, applied) as Prisma.ActivityUncheckedCreateInput });
  return applied.plan;
}

/** The inbox's subject line: the email's subject, or a call's summary (Vapi) for voice replies. */
const inboxSubject = (event: Extract<MatchableEvent, { type: 'reply' }>): string | null => {
  const summary = typeof event.detail?.summary === 'string' ? event.detail.summary : undefined;
  return (event.subject ?? summary)?.slice(0, 1000) ?? null;
};

const providerMessageIdOf = (event: MatchableEvent) => (typeof event.detail?.providerMessageId === 'string' ? event.detail.providerMessageId : null);

function replyInputOf(eventId: string, messageId: string, e: Extract<MatchableEvent, { type: 'reply' }>, m: LeadMatch): ReplyInput {
  return {
    sourceId: eventId,
    webhookEventId: eventId,
    messageId,
    clientId: m.clientId,
    leadId: m.leadId,
    campaignId: m.campaignId,
    channel: e.channel,
    text: e.text,
    subject: e.subject,
    occurredAt: e.occurredAt,
    contact: { email: e.match.email, phone: e.match.phone },
  };
}

/** The Activity row that records an event's effects (and keeps its plan for storedPlan). */
function activityData(a: { eventId: string; event: MatchableEvent; match: LeadMatch }, applied: Applied) {
  const { event, match } = a;
  return {
    clientId: match.clientId,
    campaignId: match.campaignId,
    leadId: match.leadId,
    channel: event.channel,
    action: applied.action,
    providerMessageId: providerMessageIdOf(event),
    metadata: {
      ...event.detail,
      ...applied.metadata,
      webhookEventId: a.eventId,
      matchedVia: match.via,
      occurredAt: event.occurredAt.toISOString(),
      plan: applied.plan,
    } as Record<string, unknown>,
  };
}

/** A reply's transaction may wait for the lead's lock (another event, the sequence closing) and a connection. */
export const REPLY_TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

export type SimpleApplyResult =
  /** Effects applied (and the row finished when `done`). */
  | 'applied'
  /** Another processor holds the row, or it is no longer pending/failed. */
  | 'busy'
  /** An earlier attempt applied the effects: read its plan (storedPlan) under the lock. */
  | 'already';

/**
 * applyEventEffects for a reply with simple effects, plus the inbox row's update, as ONE statement:
 * it locks the row (SKIP LOCKED), and only when it is still pending/failed and has no lead yet
 * (no earlier attempt applied anything) moves the lead, writes the Activity row and
 * sets the row's lead (marking it processed when `done`), and records the message in the replies
 * inbox. All or nothing, like the transaction. Only for oneStatementEffects (no review).
 * A confident meeting request also gets its proposed meeting (with its meeting.proposed event), as
 * proposeMeeting would write it: none when the lead has an open meeting already. That read must see
 * meetings committed while this waited for the lead, so the statement runs after a lock of the lead
 * in a two-statement transaction (one statement's snapshot predates its lock waits).
 */
export async function applySimpleReplyEffects(
  db: Pick<Db, '$queryRaw' | '$transaction'>,
  a: {
    eventId: string;
    event: Extract<MatchableEvent, { type: 'reply' }>;
    match: LeadMatch;
    classification: ClassifiedReply;
    effects: SimpleReplyEffects;
    done: boolean;
  },
): Promise<SimpleApplyResult> {
  const { event: e, match: m, effects } = a;
  if (effects.review !== undefined) throw new Error('a reply that needs review is applied in a transaction (its event needs one)');
  const messageId = randomUUID();
  const act = activityData(a, { ...effects, metadata: { ...effects.metadata, inboundMessageId: messageId } });
  const actions = replyActions(a.classification.intent, a.classification.confidence, effects);
  const nowDate = new Date();
  const now = nowDate.toISOString();
  const from = effects.moveTo ? (MOVES[effects.moveTo] ?? []) : [];
  // As applyIntent: a confident meeting request proposes a meeting (simple effects have no review).
  const propose = a.classification.intent === 'meeting_request' && a.classification.confidence >= REVIEW_THRESHOLD;
  const meeting: Meeting = {
    id: randomUUID(),
    clientId: m.clientId,
    leadId: m.leadId,
    campaignId: m.campaignId,
    status: 'proposed',
    source: 'reply',
    externalId: null,
    inboundMessageId: messageId,
    title: null,
    startsAt: null,
    endsAt: null,
    attendeeEmail: null,
    location: null,
    notes: null,
    createdAt: nowDate,
    updatedAt: nowDate,
  };
  // `::timestamp` drops the Z: columns hold UTC wall time, as Prisma writes them.
  const statement = db.$queryRaw<{ locked: boolean; fresh: boolean }[]>`
    WITH locked AS MATERIALIZED (
      SELECT id, "leadId" FROM webhook_events WHERE id = ${a.eventId} AND status IN ('pending', 'failed') FOR UPDATE SKIP LOCKED
    ), fresh AS MATERIALIZED (
      SELECT id FROM locked WHERE "leadId" IS NULL
    ), open_meeting AS MATERIALIZED (
      -- proposeMeeting: the lead's latest open meeting, if any, is the one this reply is about.
      SELECT id FROM meetings
      WHERE ${propose} AND EXISTS (SELECT 1 FROM fresh) AND "leadId" = ${m.leadId} AND status = ANY(${OPEN_MEETING_STATUSES}::text[])
      ORDER BY "createdAt" DESC LIMIT 1
    ), new_meeting AS MATERIALIZED (
      SELECT ${meeting.id}::text AS id FROM fresh WHERE ${propose} AND NOT EXISTS (SELECT 1 FROM open_meeting)
    ), moved AS (
      -- Also takes the lead's next outbound-event numbers (two with a new meeting): one UPDATE, as
      -- PostgreSQL keeps only one of two changes to a row in one statement.
      UPDATE leads SET
        status = CASE WHEN status::text = ANY(${from}::text[]) THEN ${effects.moveTo ?? null}::text::"LeadStatus" ELSE status END,
        "updatedAt" = CASE WHEN status::text = ANY(${from}::text[]) THEN ${now}::timestamp ELSE "updatedAt" END,
        "eventSeq" = "eventSeq" + 1 + (SELECT count(*) FROM new_meeting)::int
      WHERE id = ${m.leadId} AND EXISTS (SELECT 1 FROM fresh)
      RETURNING "eventSeq"
    ), outbound AS (
      -- Outbound events (src/engines/events), as emitEvent would write them: reply.received, then
      -- the meeting's.
      INSERT INTO outbound_events (id, "clientId", type, "leadId", "leadSeq", data, "createdAt")
      SELECT ${randomUUID()}, ${m.clientId}, 'reply.received', ${m.leadId}, moved."eventSeq" - (SELECT count(*) FROM new_meeting)::int,
        ${JSON.stringify(replyEventData(e, m, a.classification, false))}::jsonb, ${now}::timestamp
      FROM moved
      UNION ALL
      SELECT ${randomUUID()}, ${m.clientId}, 'meeting.proposed', ${m.leadId}, moved."eventSeq", ${JSON.stringify(meetingEventData(meeting))}::jsonb, ${now}::timestamp
      FROM moved, new_meeting
      RETURNING id
    ), meeting AS (
      INSERT INTO meetings (id, "clientId", "leadId", "campaignId", status, source, "inboundMessageId", "createdAt", "updatedAt")
      SELECT new_meeting.id, ${m.clientId}, ${m.leadId}, ${m.campaignId}::text, ${meeting.status}, ${meeting.source}, ${messageId}, ${now}::timestamp, ${now}::timestamp
      FROM new_meeting
      RETURNING id
    ), msg AS (
      INSERT INTO inbound_messages (id, "clientId", "leadId", "campaignId", channel, "touchNumber", "webhookEventId", "providerMessageId", subject, body,
        intent, confidence, actions, "receivedAt", "createdAt")
      SELECT ${messageId}, ${m.clientId}, ${m.leadId}, ${m.campaignId}::text, ${e.channel}::text::"Channel",
        (SELECT s."touchNumber" FROM activities s WHERE s."leadId" = ${m.leadId} AND s.action = 'sent'
           AND (${m.campaignId}::text IS NULL OR s."campaignId" = ${m.campaignId}::text) AND s."createdAt" <= ${now}::timestamp
         ORDER BY s."createdAt" DESC LIMIT 1),
        ${a.eventId}, ${act.providerMessageId}::text, ${inboxSubject(e)}::text, ${e.text.slice(0, MAX_BODY)},
        ${a.classification.intent}, ${a.classification.confidence}::float8,
        -- replyActions, with meeting_proposed when the meeting is new (it comes last: no review here).
        ${actions}::text[] || CASE WHEN EXISTS (SELECT 1 FROM new_meeting) THEN ARRAY['meeting_proposed'] ELSE ARRAY[]::text[] END,
        ${e.occurredAt.toISOString()}::timestamp, ${now}::timestamp
      FROM fresh
      RETURNING id
    ), act AS (
      INSERT INTO activities (id, "clientId", "campaignId", "leadId", channel, action, "providerMessageId", metadata, "createdAt")
      SELECT ${randomUUID()}, ${act.clientId}, ${act.campaignId}::text, ${act.leadId}, ${act.channel}::text::"Channel", ${act.action}, ${act.providerMessageId}::text,
        ${JSON.stringify(act.metadata)}::jsonb || CASE WHEN ${propose} THEN jsonb_build_object(
          'meetingId', coalesce((SELECT id FROM new_meeting), (SELECT id FROM open_meeting)),
          'meetingCreated', EXISTS (SELECT 1 FROM new_meeting)) ELSE '{}'::jsonb END,
        ${now}::timestamp
      FROM fresh
      RETURNING id
    ), marked AS (
      UPDATE webhook_events w SET "clientId" = ${m.clientId}, "leadId" = ${m.leadId},
        status = CASE WHEN ${a.done} THEN 'processed'::"InboxStatus" ELSE w.status END,
        "processedAt" = CASE WHEN ${a.done} THEN ${now}::timestamp ELSE w."processedAt" END,
        "lastError" = CASE WHEN ${a.done} THEN NULL ELSE w."lastError" END,
        attempts = w.attempts + CASE WHEN ${a.done} THEN 1 ELSE 0 END
      FROM fresh WHERE w.id = fresh.id
      RETURNING w.id
    )
    SELECT EXISTS (SELECT 1 FROM locked) AS locked, EXISTS (SELECT 1 FROM fresh) AS fresh`;
  // The lead's lock first, as emitEvent takes it before proposeMeeting reads (FOR NO KEY UPDATE, as the UPDATE takes it).
  const rows = propose
    ? (await db.$transaction([db.$queryRaw`SELECT 1 FROM leads WHERE id = ${m.leadId} FOR NO KEY UPDATE`, statement], REPLY_TX_OPTIONS))[1]
    : await statement;
  const r = rows[0];
  return !r.locked ? 'busy' : r.fresh ? 'applied' : 'already';
}

/** The plan an earlier attempt stored with its Activity row (its effects are already applied). */
export async function storedPlan(tx: Tx, eventId: string, leadId: string): Promise<EffectPlan> {
  const row = await tx.activity.findFirst({ where: { leadId, metadata: { path: ['webhookEventId'], equals: eventId } } });
  return ((row?.metadata as { plan?: EffectPlan } | null)?.plan ?? {}) as EffectPlan;
}

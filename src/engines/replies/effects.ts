// The database side of an event, applied once per inbox row inside the transaction that holds the
// row's lock: the Activity row (which also keeps the signal plan, so a retry after a failed signal
// re-sends the same signals without re-applying anything), lead status, suppressions, reviews and
// referral leads. Signals are sent afterwards by the caller (see process.ts).
import { randomUUID } from 'node:crypto';
import type { Channel, Db, Lead, LeadStatus, Prisma } from '../../db/client';
import { REVIEW_THRESHOLD, type ReplyIntent } from '../closer/classification';
import { GLOBAL_SCOPE, normalizeEmail, normalizePhone, suppress } from '../compliance/suppression';
import { emitEvent } from '../events';
import type { ClassifiedReply } from './classify';
import type { MatchableEvent } from './events';
import type { LeadMatch } from './match';
import { phoneVariants } from './match';
import type { SenderAuthentication } from './sender-auth';

/** The stop reasons the reply engine uses (a subset of the sequence's StopReason). */
export type ReplyStopReason = 'reply' | 'bounce' | 'unsubscribe' | 'complaint' | 'converted' | 'not_interested' | 'wrong_person';

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

async function moveLead(tx: Tx, leadId: string, to: LeadStatus): Promise<void> {
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

/** What a reply asks of the sequence, given its classification (a referral also enrols: see applyReply). */
function replySignals(e: Extract<MatchableEvent, { type: 'reply' }>, c: ClassifiedReply): Pick<EffectPlan, 'stop' | 'outOfOffice'> {
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
  moveTo?: LeadStatus;
}

export function simpleReplyEffects(e: Extract<MatchableEvent, { type: 'reply' }>, c: ClassifiedReply): SimpleReplyEffects | null {
  const text = e.text.slice(0, MAX_TEXT);
  const meta = { intent: c.intent, confidence: c.confidence, classifier: c.source, signals: c.signals.slice(0, 20), text, ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}) };
  const plan = replySignals(e, c);
  if (c.confidence < REVIEW_THRESHOLD) return { review: c.intent, moveTo: 'replied', action: 'replied', plan, metadata: { ...meta, review: true } };
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
      return { review: 'question', moveTo: 'replied', action: 'replied', plan, metadata: { ...meta, review: true } };
    case 'unsubscribe_request':
    case 'referral':
      return null;
  }
}

async function applyReply(tx: Tx, eventId: string, e: Extract<MatchableEvent, { type: 'reply' }>, m: LeadMatch, c: ClassifiedReply): Promise<Applied> {
  // Read only by the intents that need the lead's details (most replies need none).
  const lead = () => tx.lead.findUniqueOrThrow({ where: { id: m.leadId } });
  const text = e.text.slice(0, MAX_TEXT);
  const review = async (intent: ReplyIntent | string) => {
    await tx.replyReview.create({
      data: { clientId: m.clientId, leadId: m.leadId, webhookEventId: eventId, channel: e.channel, text, intent, confidence: c.confidence },
    });
  };
  const meta = { intent: c.intent, confidence: c.confidence, classifier: c.source, signals: c.signals.slice(0, 20), text, ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}) };

  const simple = simpleReplyEffects(e, c);
  if (simple) {
    if (simple.review !== undefined) await review(simple.review);
    if (simple.moveTo) await moveLead(tx, m.leadId, simple.moveTo);
    return { action: simple.action, plan: simple.plan, metadata: simple.metadata };
  }
  const plan = replySignals(e, c);
  switch (c.intent) {
    case 'unsubscribe_request': {
      const { email, phone } = await lead();
      const value = await suppressContact(tx, {
        clientId: m.clientId,
        channel: e.channel,
        email: e.match.email ?? email,
        phone: e.match.phone ?? phone,
        reason: 'unsubscribe_request',
        source: `reply:${eventId}`,
      });
      await moveLead(tx, m.leadId, 'unsubscribed');
      return { action: 'replied', plan, metadata: { ...meta, suppressed: value } };
    }
    case 'referral': {
      const referredId = await referralLead(tx, await lead(), c);
      await moveLead(tx, m.leadId, 'replied');
      if (!referredId) {
        await review('referral');
        return { action: 'replied', plan, metadata: { ...meta, review: true, referral: c.referral ?? null } };
      }
      const campaignId =
        m.campaignId ??
        (await tx.campaignEnrollment.findFirst({ where: { leadId: m.leadId }, orderBy: { createdAt: 'desc' } }))?.campaignId ??
        null;
      const withEnrol: EffectPlan = { ...plan, ...(campaignId ? { enrol: { clientId: m.clientId, campaignId, leadId: referredId } } : {}) };
      return { action: 'replied', plan: withEnrol, metadata: { ...meta, referral: c.referral ?? null, referredLeadId: referredId } };
    }
    default:
      throw new Error(`reply intent ${c.intent} has simple effects`);
  }
}

/**
 * A held reply: a review row that explains itself (reason, the sender verdicts, the suggested intent)
 * and the Activity row for the lead's timeline. The lead, its suppressions and its sequences are
 * left alone: the plan is empty.
 */
async function holdReply(tx: Tx, eventId: string, e: Extract<MatchableEvent, { type: 'reply' }>, m: LeadMatch, held: HeldReply): Promise<Applied> {
  const text = e.text.slice(0, MAX_TEXT);
  const evidence = {
    from: e.sender?.from ?? e.match.email ?? null,
    matchedVia: m.via,
    authentication: held.authentication,
    suggested: { intent: held.suggested.intent, confidence: held.suggested.confidence, classifier: held.suggested.source },
  };
  await tx.replyReview.create({
    data: {
      clientId: m.clientId,
      leadId: m.leadId,
      webhookEventId: eventId,
      channel: e.channel,
      text,
      intent: held.suggested.intent,
      confidence: held.suggested.confidence,
      reason: held.reason,
      evidence: evidence as unknown as Prisma.InputJsonValue,
    },
  });
  const metadata = { review: true, reason: held.reason, text, ...(e.subject ? { subject: e.subject.slice(0, 300) } : {}), ...evidence };
  return { action: 'reply_held', plan: {}, metadata };
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

async function emitInboundEvents(tx: Tx, a: { event: MatchableEvent; match: LeadMatch; classification?: ClassifiedReply }, applied: Applied): Promise<void> {
  const { event: e, match: m } = a;
  const base = { clientId: m.clientId, leadId: m.leadId };
  const occurredAt = e.occurredAt.toISOString();
  if (e.type === 'reply' && a.classification) {
    await emitEvent(tx, { ...base, type: 'reply.received', data: replyEventData(e, m, a.classification, applied.metadata.review === true) });
    if (applied.plan.stop === 'unsubscribe') await emitEvent(tx, { ...base, type: 'lead.unsubscribed', data: { campaignId: m.campaignId, channel: e.channel, source: 'reply', occurredAt } });
  } else if (e.type === 'bounce') {
    await emitEvent(tx, { ...base, type: 'lead.bounced', data: { campaignId: m.campaignId, channel: e.channel, occurredAt } });
  } else if (e.type === 'unsubscribe' || e.type === 'complaint') {
    await emitEvent(tx, { ...base, type: 'lead.unsubscribed', data: { campaignId: m.campaignId, channel: e.channel, source: e.type === 'complaint' ? 'complaint' : e.source, occurredAt } });
  }
}

/** Applies the event's database effects and returns its signal plan (the caller marks the row). */
export async function applyEventEffects(
  tx: Tx,
  a: { eventId: string; event: MatchableEvent; match: LeadMatch; classification?: ClassifiedReply; held?: HeldReply },
): Promise<EffectPlan> {
  const { event, match } = a;
  let applied: Applied;
  if (event.type === 'reply' && a.held) {
    applied = await holdReply(tx, a.eventId, event, match, a.held);
  } else if (event.type === 'reply') {
    if (!a.classification) throw new Error('a reply needs its classification');
    applied = await applyReply(tx, a.eventId, event, match, a.classification);
  } else {
    applied = await applyOther(tx, a.eventId, event, match);
  }
  await tx.activity.create({ data: activityData(a, applied) as Prisma.ActivityUncheckedCreateInput });
  await emitInboundEvents(tx, a, applied);
  return applied.plan;
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
    providerMessageId: typeof event.detail?.providerMessageId === 'string' ? event.detail.providerMessageId : null,
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
 * (no earlier attempt applied anything) moves the lead, adds the review, writes the Activity row and
 * sets the row's lead (marking it processed when `done`). All or nothing, like the transaction.
 */
export async function applySimpleReplyEffects(
  db: Pick<Db, '$queryRaw'>,
  a: { eventId: string; event: Extract<MatchableEvent, { type: 'reply' }>; match: LeadMatch; classification: ClassifiedReply; effects: SimpleReplyEffects; done: boolean },
): Promise<SimpleApplyResult> {
  const { event: e, match: m, effects } = a;
  const act = activityData(a, effects);
  const now = new Date().toISOString();
  const from = effects.moveTo ? (MOVES[effects.moveTo] ?? []) : [];
  // `::timestamp` drops the Z: columns hold UTC wall time, as Prisma writes them.
  const rows = await db.$queryRaw<{ locked: boolean; fresh: boolean }[]>`
    WITH locked AS MATERIALIZED (
      SELECT id, "leadId" FROM webhook_events WHERE id = ${a.eventId} AND status IN ('pending', 'failed') FOR UPDATE SKIP LOCKED
    ), fresh AS MATERIALIZED (
      SELECT id FROM locked WHERE "leadId" IS NULL
    ), moved AS (
      -- Also takes the lead's next outbound-event number: one UPDATE, as PostgreSQL keeps only one of
      -- two changes to a row in one statement.
      UPDATE leads SET
        status = CASE WHEN status::text = ANY(${from}::text[]) THEN ${effects.moveTo ?? null}::text::"LeadStatus" ELSE status END,
        "updatedAt" = CASE WHEN status::text = ANY(${from}::text[]) THEN ${now}::timestamp ELSE "updatedAt" END,
        "eventSeq" = "eventSeq" + 1
      WHERE id = ${m.leadId} AND EXISTS (SELECT 1 FROM fresh)
      RETURNING "eventSeq"
    ), outbound AS (
      -- Outbound event (src/engines/events), as emitEvent would write it.
      INSERT INTO outbound_events (id, "clientId", type, "leadId", "leadSeq", data, "createdAt")
      SELECT ${randomUUID()}, ${m.clientId}, 'reply.received', ${m.leadId}, moved."eventSeq", ${JSON.stringify(replyEventData(e, m, a.classification, effects.review !== undefined))}::jsonb, ${now}::timestamp
      FROM moved
      RETURNING id
    ), review AS (
      INSERT INTO reply_reviews (id, "clientId", "leadId", "webhookEventId", channel, text, intent, confidence, status, "createdAt")
      SELECT ${randomUUID()}, ${m.clientId}, ${m.leadId}, ${a.eventId}, ${e.channel}::text::"Channel", ${e.text.slice(0, MAX_TEXT)}, ${effects.review ?? null}::text,
        ${a.classification.confidence}::float8, 'pending', ${now}::timestamp
      FROM fresh WHERE ${effects.review ?? null}::text IS NOT NULL
      RETURNING id
    ), act AS (
      INSERT INTO activities (id, "clientId", "campaignId", "leadId", channel, action, "providerMessageId", metadata, "createdAt")
      SELECT ${randomUUID()}, ${act.clientId}, ${act.campaignId}::text, ${act.leadId}, ${act.channel}::text::"Channel", ${act.action}, ${act.providerMessageId}::text,
        ${JSON.stringify(act.metadata)}::jsonb, ${now}::timestamp
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
  const r = rows[0];
  return !r.locked ? 'busy' : r.fresh ? 'applied' : 'already';
}

/** The plan an earlier attempt stored with its Activity row (its effects are already applied). */
export async function storedPlan(tx: Tx, eventId: string, leadId: string): Promise<EffectPlan> {
  const row = await tx.activity.findFirst({ where: { leadId, metadata: { path: ['webhookEventId'], equals: eventId } } });
  return ((row?.metadata as { plan?: EffectPlan } | null)?.plan ?? {}) as EffectPlan;
}

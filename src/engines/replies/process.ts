// Processing one inbox row, safe to run any number of times and concurrently (the webhook route
// right after its 2xx, the recovery sweep later):
//   1. read the row; match it to a lead and classify a reply (no lock: classification may call Claude),
//      then send the stop/pause signal at once (deduped by event id in the workflow);
//   2. in a transaction holding the row's lock (SKIP LOCKED), apply the database effects unless an
//      earlier attempt already did (the row's leadId is set in that same transaction);
//   3. send what the effects added (a referral's enrolment, then its stop), mark the row processed.
// Unmatched rows stay pending for the sweep; Temporal being unreachable leaves the row pending with
// its effects applied, so the sweep only re-sends signals.
import type { Logger } from 'pino';
import type { Db, WebhookEvent } from '../../db/client';
import type { ReplyLocale } from '../closer/classification';
import { isSchedulingProvider, processBookingRow } from '../meetings/bookings';
import { lockForProcessing, markAttempt, markIgnored, markProcessed, MAX_INBOX_ATTEMPTS } from '../inbox/store';
import { ruleClassifier, type ClassifiedReply, type ReplyClassifier } from './classify';
import {
  applyEventEffects,
  applySimpleReplyEffects,
  earlySignals,
  oneStatementEffects,
  REPLY_TX_OPTIONS,
  storedPlan,
  type EffectPlan,
  type HeldReply,
} from './effects';
import type { MatchableEvent } from './events';
import { matchLead, type KnownEnrollments, type LeadMatch } from './match';
import type { SequenceControl } from './sequence-control';
import { normalizeInboxEvent } from './normalize';
import { authenticateSender } from './sender-auth';
import { webhookEventsProcessed } from '../../observability/metrics';

/** How the reply engine reaches running sequences and campaigns (Temporal, in production). */
export interface ReplyProcessingDeps {
  db: Db;
  sequences: SequenceControl;
  classify: ReplyClassifier;
  logger?: Pick<Logger, 'warn' | 'debug'>;
  maxAttempts?: number;
  /** Authserv-ids whose Authentication-Results headers are believed (INBOUND_TRUSTED_AUTHSERV_IDS). */
  trustedAuthservIds?: readonly string[];
}

export type ProcessOutcome = 'processed' | 'ignored' | 'pending' | 'failed' | 'busy' | 'missing';

export interface ProcessResult {
  outcome: ProcessOutcome;
  error?: string;
  plan?: EffectPlan;
  /** The effects are applied and only the signals failed (Temporal unreachable): worth retrying soon. */
  signalsPending?: boolean;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 400);

/** The signal event id of an inbox row: one id however often the row is processed. */
export const signalEventId = (rowId: string) => `webhook:${rowId}`;

function localeFor(country: string | null | undefined): ReplyLocale {
  switch ((country ?? '').toUpperCase()) {
    case 'US':
      return 'en-US';
    case 'GB':
    case 'UK':
      return 'en-GB';
    case 'NZ':
      return 'en-NZ';
    default:
      return 'en-AU';
  }
}

async function classifyFor(
  deps: ReplyProcessingDeps,
  event: Extract<MatchableEvent, { type: 'reply' }>,
  m: LeadMatch,
  classify = deps.classify,
): Promise<ClassifiedReply> {
  const lead = m.lead ?? (await deps.db.lead.findUnique({ where: { id: m.leadId }, select: { country: true, timeZone: true } }));
  return classify({
    clientId: m.clientId,
    channel: event.channel,
    text: event.text,
    subject: event.subject,
    receivedAt: event.occurredAt,
    locale: localeFor(lead?.country),
    timeZone: lead?.timeZone ?? undefined,
  });
}

/**
 * The inbound-mail trust rule (README, "Inbound mail"): an email acts on a lead by itself only when
 * its In-Reply-To/References name a message we sent (the match came through the send ledger), or
 * the receiving side authenticated its From domain (aligned DMARC, DKIM or SPF pass). Anything else
 * (matched by the From address alone) is held for a person: null means it may act.
 */
async function holdUntrusted(deps: ReplyProcessingDeps, event: MatchableEvent, m: LeadMatch): Promise<HeldReply | null> {
  if (event.type !== 'reply' || !event.sender) return null;
  if (m.via === 'ledger' || m.via === 'thread') return null;
  const authentication = authenticateSender(event.sender, deps.trustedAuthservIds ?? []);
  if (authentication.passedBy) return null;
  // A suggestion for the reviewer from the rules only: unauthenticated mail spends no AI budget.
  return { reason: 'untrusted_sender', authentication, suggested: await classifyFor(deps, event, m, ruleClassifier) };
}

/** True when the plan has signals `alreadySent` did not cover. */
function signalsLeft(plan: EffectPlan, alreadySent: EffectPlan): boolean {
  return (
    plan.enrol !== undefined ||
    (plan.stop !== undefined && plan.stop !== alreadySent.stop) ||
    (plan.outOfOffice !== undefined && plan.outOfOffice.returnDate !== alreadySent.outOfOffice?.returnDate)
  );
}

// Enrolments the match read are used for the stop only while this fresh (a reply classified by
// Claude may take seconds): otherwise they are read again, just before the signals.
const KNOWN_ENROLLMENTS_MAX_AGE_MS = 250;

/** Sends the plan's signals under `eventId` (the workflows drop a repeated one), skipping what `alreadySent` covered. */
export async function sendPlanSignals(
  sequences: SequenceControl,
  leadId: string,
  eventId: string,
  plan: EffectPlan,
  alreadySent: EffectPlan = {},
  known?: KnownEnrollments,
): Promise<void> {
  // The referred lead first: enrolling it keeps the campaign open when this lead's sequence ends.
  if (plan.enrol) await sequences.enrol(plan.enrol);
  const fresh = known && !plan.enrol && Date.now() - known.readAt <= KNOWN_ENROLLMENTS_MAX_AGE_MS ? known.rows : undefined;
  if (plan.stop && plan.stop !== alreadySent.stop) await sequences.stop(leadId, plan.stop, eventId, fresh);
  if (plan.outOfOffice && plan.outOfOffice.returnDate !== alreadySent.outOfOffice?.returnDate) {
    await sequences.outOfOffice(leadId, plan.outOfOffice.returnDate, eventId);
  }
}

const sendSignals = (deps: ReplyProcessingDeps, leadId: string, rowId: string, plan: EffectPlan, alreadySent: EffectPlan = {}, known?: KnownEnrollments) =>
  sendPlanSignals(deps.sequences, leadId, signalEventId(rowId), plan, alreadySent, known);

/** What the caller already knows of a row it has just written (saves reading it back). */
export type KnownInboxRow = Pick<WebhookEvent, 'provider' | 'payload' | 'receivedAt' | 'status' | 'leadId'>;

// Outcomes of an attempt that did something (counted); `busy` (another holds the row), `missing` and
// a row already finished are no attempt of this call's.
const COUNTED: ReadonlySet<ProcessOutcome> = new Set(['processed', 'ignored', 'pending', 'failed']);

export async function processInboxEvent(deps: ReplyProcessingDeps, id: string, known?: KnownInboxRow): Promise<ProcessResult> {
  // A stale `known` is harmless: the row lock below decides who applies what.
  const row = known ?? (await deps.db.webhookEvent.findUnique({ where: { id } }));
  if (!row) return { outcome: 'missing' };
  if (row.status === 'processed' || row.status === 'ignored') return { outcome: row.status };
  const result = await processRow(deps, id, row);
  if (COUNTED.has(result.outcome)) webhookEventsProcessed.inc({ provider: row.provider, outcome: result.outcome });
  return result;
}

async function processRow(deps: ReplyProcessingDeps, id: string, row: KnownInboxRow): Promise<ProcessResult> {
  const { db } = deps;
  const maxAttempts = deps.maxAttempts ?? MAX_INBOX_ATTEMPTS;
  // Bookings from scheduling tools share the inbox (and its sweep) but are meetings, not replies.
  if (isSchedulingProvider(row.provider)) return { outcome: await processBookingRow({ db, sequences: deps.sequences, maxAttempts }, id, row) };

  let event;
  try {
    event = normalizeInboxEvent(row.provider, row.payload, row.receivedAt);
  } catch (err) {
    const status = await markAttempt(db, id, { error: `unreadable payload: ${message(err)}`, status: 'failed', maxAttempts });
    return { outcome: status === 'ignored' ? 'ignored' : 'failed', error: message(err) };
  }
  if (event.type === 'ignore') {
    await markIgnored(db, id, event.reason);
    return { outcome: 'ignored' };
  }

  let leadId = row.leadId;
  let plan: EffectPlan | null;
  let early: EffectPlan = {};
  let earlyError: unknown;
  let done = false;
  let appliedPlan: EffectPlan | undefined;
  try {
    let prepared: { match: LeadMatch; classification?: ClassifiedReply; held?: HeldReply } | null = null;
    if (!leadId) {
      const match = await matchLead(db, event.channel, event.match);
      if (!match) {
        const status = await markAttempt(db, id, { error: 'no matching lead yet', status: 'pending', unmatched: true, maxAttempts });
        return { outcome: status === 'ignored' ? 'ignored' : 'pending', error: 'no matching lead yet' };
      }
      const held = await holdUntrusted(deps, event, match);
      prepared = held ? { match, held } : { match, classification: event.type === 'reply' ? await classifyFor(deps, event, match) : undefined };
      // Stop (or pause) the sequences before writing anything: the signal is what must be fast, and
      // it is idempotent (the workflow drops a repeated event id), so a retry may safely send it again.
      // A held reply signals nothing.
      const signals = held ? null : earlySignals(event, prepared.classification);
      if (signals) {
        try {
          await sendSignals(deps, match.leadId, id, signals, {}, match.enrollments);
          early = signals;
        } catch (err) {
          earlyError = err;
        }
      }
    }
    // Most replies' effects need no reads: then the lock, the effects and the row's update are one
    // statement instead of a six-statement transaction (this runs for every inbound reply).
    if (prepared?.classification && event.type === 'reply') {
      const simple = oneStatementEffects(event, prepared.classification);
      if (simple) {
        const finished = !earlyError && !signalsLeft(simple.plan, early);
        const r = await applySimpleReplyEffects(db, {
          eventId: id,
          event,
          match: prepared.match,
          classification: prepared.classification,
          effects: simple,
          done: finished,
        });
        if (r === 'busy') return { outcome: 'busy' };
        if (r === 'applied') {
          leadId = prepared.match.leadId;
          done = finished;
          appliedPlan = simple.plan;
        }
        // 'already': an earlier attempt applied them; the transaction below reads its plan.
      }
    }
    plan =
      appliedPlan ??
      (await db.$transaction(async (tx) => {
        const locked = await lockForProcessing(tx, id);
        if (!locked) return null;
        if (locked.leadId) {
          leadId = locked.leadId;
          return storedPlan(tx, id, locked.leadId);
        }
        if (!prepared) throw new Error('inbox row lost its lead between read and lock');
        const { match } = prepared;
        leadId = match.leadId;
        const applied = await applyEventEffects(tx, { eventId: id, event, match, classification: prepared.classification, held: prepared.held });
        // Setting leadId marks the effects applied; when the early signals covered the whole plan the
        // row is finished in the same statement.
        done = !earlyError && !signalsLeft(applied, early);
        await tx.webhookEvent.update({
          where: { id },
          data: {
            clientId: match.clientId,
            leadId: match.leadId,
            ...(done ? { status: 'processed', processedAt: new Date(), lastError: null, attempts: { increment: 1 } } : {}),
          },
        });
        return applied;
      }, REPLY_TX_OPTIONS));
  } catch (err) {
    deps.logger?.warn({ err, webhookEventId: id }, 'webhook event processing failed');
    await markAttempt(db, id, { error: message(err), status: 'failed', maxAttempts });
    return { outcome: 'failed', error: message(err) };
  }
  if (!plan || !leadId) return { outcome: 'busy' };
  if (done) return { outcome: 'processed', plan };

  try {
    // Temporal just failed us: do not wait for it a second time in this attempt.
    if (earlyError) throw earlyError;
    await sendSignals(deps, leadId, id, plan, early);
  } catch (err) {
    // Effects are applied; only the signals wait (typically Temporal unreachable) for the sweep.
    deps.logger?.warn({ err, webhookEventId: id }, 'webhook event signals failed; left pending for reply recovery');
    // Not counted as an attempt: the row is fine, Temporal was not; it must not run out of attempts.
    await markAttempt(db, id, { error: `signal failed: ${message(err)}`, status: 'pending', maxAttempts, count: false });
    return { outcome: 'pending', error: message(err), plan, signalsPending: true };
  }
  await markProcessed(db, id);
  return { outcome: 'processed', plan };
}

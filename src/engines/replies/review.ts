// The review queue: replies a person must read (low confidence, questions, referrals without a
// contact, mail that cannot be trusted automatically). Resolving one with the right intent applies
// that intent's effects through applyIntent, the function automatic classification uses, in the
// transaction that marks the review resolved: a second resolve finds it resolved and applies
// nothing. Then the plan's signals go to the sequences, as automatic processing sends them.
// Reviews left unresolved past a configurable age are told to the client once more (stale).
import type { Db, Prisma, ReplyReview } from '../../db/client';
import type { ReferralContact, ReplyIntent } from '../closer/classification';
import { emitEvent } from '../events';
import type { ClassifiedReply } from './classify';
import { applyIntent, DEFAULT_OOO_DAYS, replyActions, type EffectPlan, type ReplyInput } from './effects';
import { sendPlanSignals } from './process';
import type { SequenceControl } from './sequence-control';

export const REVIEW_STATUSES = ['pending', 'resolved'] as const;

/** The signal event id of a resolution: one id however often its signals are re-sent. */
export const reviewSignalEventId = (reviewId: string) => `review:${reviewId}`;

export interface Resolution {
  intent: ReplyIntent;
  resolvedBy: string;
  /** out_of_office: the first day back (default: a week from now). */
  returnDate?: string;
  /** referral: the person to contact instead. */
  referral?: ReferralContact;
}

export type ResolveResult =
  | { outcome: 'resolved'; review: ReplyReview; plan: EffectPlan; actions: string[]; signalled: boolean; signalError?: string }
  | { outcome: 'not_found' }
  | { outcome: 'already_resolved'; review: ReplyReview };

const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

const dayPlus = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export async function resolveReview(
  deps: { db: Db; sequences: SequenceControl; logger?: { warn: (o: object, m: string) => void } },
  a: { clientId: string; reviewId: string } & Resolution,
  now = new Date(),
): Promise<ResolveResult> {
  const { db } = deps;
  const done = await db.$transaction(async (tx) => {
    // The row lock orders two resolutions of one review: the second sees it resolved.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM reply_reviews WHERE id = ${a.reviewId} AND "clientId" = ${a.clientId} FOR UPDATE`;
    if (locked.length === 0) return { outcome: 'not_found' as const };
    const review = await tx.replyReview.findUniqueOrThrow({ where: { id: a.reviewId } });
    if (review.status !== 'pending') return { outcome: 'already_resolved' as const, review };

    const message = review.messageId
      ? await tx.inboundMessage.findUnique({ where: { id: review.messageId } })
      : review.webhookEventId
        ? await tx.inboundMessage.findUnique({ where: { webhookEventId: review.webhookEventId } })
        : null;
    const input: ReplyInput = {
      sourceId: review.webhookEventId ?? `review:${review.id}`,
      webhookEventId: review.webhookEventId,
      messageId: message?.id ?? review.id,
      clientId: review.clientId,
      leadId: review.leadId,
      campaignId: message?.campaignId ?? null,
      channel: review.channel,
      text: message?.body ?? review.text,
      subject: message?.subject ?? undefined,
      occurredAt: message?.receivedAt ?? review.createdAt,
      contact: {},
    };
    const classification: ClassifiedReply = {
      intent: a.intent,
      confidence: 1,
      signals: [`resolved by reviewer ${a.resolvedBy}`],
      source: 'review',
      // A pause counts from now: the reply may have waited here for days.
      ...(a.intent === 'out_of_office' ? { returnDate: a.returnDate ?? dayPlus(now, DEFAULT_OOO_DAYS) } : {}),
      ...(a.intent === 'referral' && a.referral ? { referral: a.referral } : {}),
    };
    const applied = await applyIntent(tx, input, classification, { reviewed: true });
    const actions = replyActions(a.intent, 1, applied);
    const resolved = await tx.replyReview.update({
      where: { id: review.id },
      data: { status: 'resolved', resolvedIntent: a.intent, resolvedBy: a.resolvedBy, resolvedAt: now },
    });
    if (message) {
      await tx.inboundMessage.update({
        where: { id: message.id },
        data: { intent: a.intent, confidence: 1, actions: [...new Set([...message.actions.filter((x) => x !== 'review'), ...actions, 'reviewed'])] },
      });
    }
    await tx.activity.create({
      data: {
        clientId: review.clientId,
        campaignId: input.campaignId,
        leadId: review.leadId,
        channel: review.channel,
        action: 'review_resolved',
        metadata: {
          reviewId: review.id,
          intent: a.intent,
          previousIntent: review.intent,
          resolvedBy: a.resolvedBy,
          ...applied.metadata,
          plan: applied.plan as Record<string, unknown>,
        } as Prisma.InputJsonObject,
      },
    });
    return { outcome: 'resolved' as const, review: resolved, plan: applied.plan, actions };
  }, TX_OPTIONS);
  if (done.outcome !== 'resolved') return done;
  try {
    await sendPlanSignals(deps.sequences, done.review.leadId, reviewSignalEventId(done.review.id), done.plan);
    return { ...done, signalled: true };
  } catch (err) {
    // The effects are applied and the review resolved; the caller tells the reviewer the sequence
    // was not reached (Temporal unreachable), rather than failing a resolution that happened.
    deps.logger?.warn({ err, reviewId: done.review.id }, 'review resolved but its sequence signals failed');
    return { ...done, signalled: false, signalError: err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : String(err) };
  }
}

/**
 * Tells the client, once per review, about reviews still pending `staleAfterMs` after they were
 * created: reply.needs_review again with `stale: true`. Each review is marked in the transaction
 * that writes its event, and rows another sweep holds are skipped, so none is told twice.
 */
export async function notifyStaleReviews(db: Db, a: { staleAfterMs: number; now?: Date; limit?: number }): Promise<{ notified: number }> {
  const now = a.now ?? new Date();
  const before = new Date(now.getTime() - a.staleAfterMs);
  const limit = a.limit ?? 500;
  let notified = 0;
  for (;;) {
    const n = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM reply_reviews
        WHERE status = 'pending' AND "staleNotifiedAt" IS NULL AND "createdAt" < ${before.toISOString()}::timestamp
        ORDER BY "createdAt" LIMIT 100 FOR UPDATE SKIP LOCKED`;
      for (const { id } of rows) {
        const r = await tx.replyReview.update({ where: { id }, data: { staleNotifiedAt: now } });
        await emitEvent(tx, {
          clientId: r.clientId,
          type: 'reply.needs_review',
          leadId: r.leadId,
          data: {
            reviewId: r.id,
            replyId: r.messageId,
            leadId: r.leadId,
            channel: r.channel,
            intent: r.intent,
            confidence: r.confidence,
            reason: r.reason,
            stale: true,
            waitingSince: r.createdAt.toISOString(),
          },
        });
      }
      return rows.length;
    }, TX_OPTIONS);
    notified += n;
    if (n < 100 || notified >= limit) break;
  }
  return { notified };
}

// /api/v1/clients/:clientId/reviews — replies waiting for a person (low confidence, questions,
// referrals without a contact, mail that cannot be trusted automatically). Resolving one with the
// right intent applies exactly that intent's effects, once (a second resolve is 409), and signals
// the lead's sequences as automatic processing does.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { INTENTS, ReferralContactSchema } from '../../engines/closer/classification';
import { resolveReview, REVIEW_STATUSES } from '../../engines/replies/review';
import { temporalSequenceControl } from '../../lifecycle/replies';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { ChannelSchema } from '../openapi/models';
import { dateTime, id, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

const clientParams = z.object({ clientId: uuid });
export const reviewParams = z.object({ clientId: uuid, reviewId: uuid });
export const reviewListQuery = pageQuery.extend({
  status: z.enum(REVIEW_STATUSES).optional(),
  reason: z
    .string()
    .regex(/^[a-z_]{1,50}$/, 'expected a reason such as low_confidence')
    .optional(),
  leadId: uuid.optional(),
});
export const resolveBody = z
  .object({
    intent: z.enum(INTENTS),
    returnDate: z.iso.date().optional(),
    referral: ReferralContactSchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.returnDate !== undefined && b.intent !== 'out_of_office')
      ctx.addIssue({ code: 'custom', path: ['returnDate'], message: 'returnDate is only for out_of_office' });
    if (b.referral !== undefined && b.intent !== 'referral')
      ctx.addIssue({ code: 'custom', path: ['referral'], message: 'referral is only for the referral intent' });
    if (b.intent === 'referral' && !b.referral?.email && !b.referral?.phone) {
      ctx.addIssue({ code: 'custom', path: ['referral'], message: 'a referral needs the email or phone of the person to contact' });
    }
  });

const nstr = z.string().nullable();
export const ReviewSchema = z
  .object({
    id,
    clientId: id,
    leadId: id,
    webhookEventId: nstr,
    messageId: id.nullable(),
    channel: ChannelSchema,
    text: z.string(),
    intent: z.string(),
    confidence: z.number(),
    status: z.enum(REVIEW_STATUSES),
    reason: nstr,
    resolvedIntent: nstr,
    resolvedBy: nstr,
    resolvedAt: nullableDateTime,
    staleNotifiedAt: nullableDateTime,
    createdAt: dateTime,
  })
  .meta({ id: 'ReplyReview' });

const REVIEWS = '/api/v1/clients/{clientId}/reviews';

export const reviewRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: REVIEWS,
    summary: 'The review queue: replies waiting for a person, newest first',
    tag: 'reviews',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: reviewListQuery,
    responses: { 200: ok(pageOf(ReviewSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const rows = await db.replyReview.findMany({
        where: {
          clientId,
          ...(q.status ? { status: q.status } : {}),
          ...(q.reason ? { reason: q.reason } : {}),
          ...(q.leadId ? { leadId: q.leadId } : {}),
          ...cursorWhere(decodeCursor(q.cursor)),
        },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${REVIEWS}/{reviewId}`,
    summary: 'One review',
    tag: 'reviews',
    access: { kind: 'client', role: 'viewer' },
    params: reviewParams,
    responses: { 200: ok(z.object({ review: ReviewSchema })) },
    handler: async ({ params: { clientId, reviewId }, res, deps: { db } }) => {
      const review = await db.replyReview.findFirst({ where: { id: reviewId, clientId } });
      if (!review) throw notFound('review');
      res.json({ review });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${REVIEWS}/{reviewId}/resolve`,
    summary: 'Resolve a review with the right intent: its effects are applied once',
    description:
      'Applies what the intent means (stop, unsubscribe and suppression, out-of-office pause with `returnDate`, referral lead with `referral`, proposed meeting) exactly as automatic classification would, then signals the lead’s sequences. A resolved review is 409. `signalled: false` means the sequences could not be reached; the effects are applied.',
    tag: 'reviews',
    access: { kind: 'client', role: 'member' },
    params: reviewParams,
    body: resolveBody,
    responses: { 200: ok(z.object({ review: ReviewSchema, actions: z.array(z.string()), signalled: z.boolean() })) },
    handler: async ({ params: { clientId, reviewId }, body, req, res, deps }) => {
      const { db } = deps;
      // Another tenant's review is a 404 whatever the body says.
      if (!(await db.replyReview.findFirst({ where: { id: reviewId, clientId }, select: { id: true } }))) throw notFound('review');
      const b = body();
      const sequences = temporalSequenceControl(deps.temporal, db);
      const result = await resolveReview({ db, sequences, logger: deps.logger }, { clientId, reviewId, resolvedBy: req.caller!.userId, ...b });
      if (result.outcome === 'not_found') throw notFound('review');
      if (result.outcome === 'already_resolved')
        throw new HttpError(409, 'ALREADY_RESOLVED', `review was already resolved as ${result.review.resolvedIntent ?? result.review.intent}`);
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'review.resolve',
        entityType: 'reply_review',
        entityId: reviewId,
        before: { status: 'pending' },
        after: { status: 'resolved', intent: b.intent, actions: result.actions },
      });
      res.json({ review: result.review, actions: result.actions, signalled: result.signalled });
    },
  }),
];

export const reviewsRouter = (deps: ApiDeps) => routerFor(deps, REVIEWS, reviewRoutes);

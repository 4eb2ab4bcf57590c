// /api/v1/clients/:clientId/replies — the replies inbox: every inbound message on every channel,
// with its lead, campaign, the touch it answers, intent and confidence, what the system did, and
// whether a person has handled it (and who it is assigned to). One reply reads with its thread.
import { z } from 'zod';
import type { InboundMessage, Prisma } from '../../db/client';
import { Channel } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { INTENTS } from '../../engines/closer/classification';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { ChannelSchema } from '../openapi/models';
import { dateTime, id, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

const clientParams = z.object({ clientId: uuid });
export const replyParams = z.object({ clientId: uuid, replyId: uuid });
const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
export const replyListQuery = pageQuery.extend({
  intent: z.enum(INTENTS).optional(),
  channel: z.enum(Channel).optional(),
  campaignId: uuid.optional(),
  leadId: uuid.optional(),
  handled: boolString.optional(),
  assignedTo: uuid.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
export const replyPatchBody = z
  .object({
    handled: z.boolean().optional(),
    assignedTo: uuid.nullable().optional(),
  })
  .strict()
  .refine((b) => b.handled !== undefined || b.assignedTo !== undefined, 'give handled and/or assignedTo');

/** A LIKE pattern matching `text` literally (backslash is PostgreSQL's default LIKE escape). */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const leadSelect = { id: true, firstName: true, lastName: true, email: true, phone: true, companyName: true, status: true } as const;

/** Rows as the API shows them: with their lead, campaign and review. */
async function withContext(db: ApiDeps['db'], rows: InboundMessage[]) {
  const leads = new Map((await db.lead.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.leadId))] } }, select: leadSelect })).map((l) => [l.id, l]));
  const campaignIds = [...new Set(rows.map((r) => r.campaignId).filter((x): x is string => x !== null))];
  const campaigns = new Map((await db.campaign.findMany({ where: { id: { in: campaignIds } }, select: { id: true, name: true } })).map((c) => [c.id, c]));
  const reviews = new Map(
    (
      await db.replyReview.findMany({ where: { messageId: { in: rows.map((r) => r.id) } }, select: { id: true, messageId: true, status: true, reason: true } })
    ).map((r) => [r.messageId, r]),
  );
  return rows.map((r) => ({
    ...r,
    handled: r.handledAt !== null,
    lead: leads.get(r.leadId) ?? null,
    campaign: r.campaignId ? (campaigns.get(r.campaignId) ?? null) : null,
    review: reviews.has(r.id) ? { id: reviews.get(r.id)!.id, status: reviews.get(r.id)!.status, reason: reviews.get(r.id)!.reason } : null,
  }));
}

const nstr = z.string().nullable();
export const ReplySchema = z
  .object({
    id,
    clientId: id,
    leadId: id,
    campaignId: id.nullable(),
    channel: ChannelSchema,
    touchNumber: z.number().int().nullable(),
    providerMessageId: nstr,
    subject: nstr,
    body: z.string(),
    intent: nstr.describe(`one of ${INTENTS.join(', ')}`),
    confidence: z.number().nullable(),
    actions: z
      .array(z.string())
      .describe('what the system did: stopped, paused_out_of_office, unsubscribed, referral_lead_created, meeting_proposed, review, reviewed'),
    handled: z.boolean(),
    handledAt: nullableDateTime,
    handledBy: id.nullable(),
    assignedTo: id.nullable(),
    receivedAt: dateTime,
    createdAt: dateTime,
    lead: z.object({ id, firstName: nstr, lastName: nstr, email: nstr, phone: nstr, companyName: nstr, status: z.string() }).nullable(),
    campaign: z.object({ id, name: z.string() }).nullable(),
    review: z.object({ id, status: z.string(), reason: nstr }).nullable(),
  })
  .meta({ id: 'Reply' });

const ThreadEntrySchema = z
  .object({
    direction: z.enum(['outbound', 'inbound']),
    id,
    at: dateTime,
    channel: ChannelSchema,
    campaignId: id.nullable(),
    touchNumber: z.number().int().nullable(),
    subject: nstr,
    body: nstr,
  })
  .meta({ id: 'ThreadEntry' });

const REPLIES = '/api/v1/clients/{clientId}/replies';

export const replyRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: REPLIES,
    summary: 'The replies inbox: inbound messages on every channel, newest first',
    description:
      'Filters: intent, channel, campaignId, leadId, handled, assignedTo, from/to (received, ISO 8601), q (words in the subject or body, matched literally, case-insensitive).',
    tag: 'replies',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: replyListQuery,
    responses: { 200: ok(pageOf(ReplySchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const where: Prisma.InboundMessageWhereInput = {
        clientId,
        ...(q.intent ? { intent: q.intent } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.campaignId ? { campaignId: q.campaignId } : {}),
        ...(q.leadId ? { leadId: q.leadId } : {}),
        ...(q.handled === undefined ? {} : q.handled ? { handledAt: { not: null } } : { handledAt: null }),
        ...(q.assignedTo ? { assignedTo: q.assignedTo } : {}),
        ...(q.from || q.to ? { receivedAt: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } } : {}),
        // Prisma's `contains` is an ILIKE '%…%' that passes % and _ through as wildcards: escaped here,
        // so the words are matched literally.
        ...(q.q
          ? { OR: [{ body: { contains: likeLiteral(q.q), mode: 'insensitive' } }, { subject: { contains: likeLiteral(q.q), mode: 'insensitive' } }] }
          : {}),
      };
      const rows = await db.inboundMessage.findMany({
        where: { AND: [where, cursorWhere(decodeCursor(q.cursor))] },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: await withContext(db, p.data), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${REPLIES}/{replyId}`,
    summary: 'One reply with its thread (our sent touches and the lead’s earlier replies, oldest first)',
    tag: 'replies',
    access: { kind: 'client', role: 'viewer' },
    params: replyParams,
    responses: { 200: ok(z.object({ reply: ReplySchema, thread: z.array(ThreadEntrySchema) })) },
    handler: async ({ params: { clientId, replyId }, res, deps: { db } }) => {
      const row = await db.inboundMessage.findFirst({ where: { id: replyId, clientId } });
      if (!row) throw notFound('reply');
      const [reply] = await withContext(db, [row]);
      // The thread: our sends to the lead and the lead's earlier replies, up to this one, oldest first.
      const [sent, earlier] = await Promise.all([
        db.activity.findMany({
          where: { clientId, leadId: row.leadId, action: 'sent', createdAt: { lte: row.createdAt } },
          orderBy: { createdAt: 'asc' },
          take: 100,
        }),
        db.inboundMessage.findMany({ where: { clientId, leadId: row.leadId, createdAt: { lt: row.createdAt } }, orderBy: { createdAt: 'asc' }, take: 100 }),
      ]);
      const thread = [
        ...sent.map((a) => {
          const m = (a.metadata ?? {}) as { subject?: unknown; body?: unknown };
          return {
            direction: 'outbound' as const,
            id: a.id,
            recordedAt: a.createdAt,
            at: a.createdAt,
            channel: a.channel,
            campaignId: a.campaignId,
            touchNumber: a.touchNumber,
            subject: typeof m.subject === 'string' ? m.subject : null,
            body: typeof m.body === 'string' ? m.body : null,
          };
        }),
        ...[...earlier, row].map((m) => ({
          direction: 'inbound' as const,
          id: m.id,
          recordedAt: m.createdAt,
          at: m.receivedAt,
          channel: m.channel,
          campaignId: m.campaignId,
          touchNumber: m.touchNumber,
          subject: m.subject,
          body: m.body,
        })),
      ]
        // In the order we recorded them: a reply's own Date header may run behind our clock.
        .sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime())
        .map(({ recordedAt: _recorded, ...entry }) => entry);
      res.json({ reply, thread });
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${REPLIES}/{replyId}`,
    summary: 'Mark a reply handled (or not) and/or assign it to a member (null unassigns)',
    tag: 'replies',
    access: { kind: 'client', role: 'member' },
    params: replyParams,
    body: replyPatchBody,
    responses: { 200: ok(z.object({ reply: ReplySchema })) },
    handler: async ({ params: { clientId, replyId }, body, req, res, deps: { db } }) => {
      // Another tenant's reply is a 404 whatever the body says.
      const before = await db.inboundMessage.findFirst({ where: { id: replyId, clientId } });
      if (!before) throw notFound('reply');
      const b = body();
      if (b.assignedTo) {
        const member = await db.membership.findFirst({ where: { clientId, userId: b.assignedTo, deletedAt: null, user: { deletedAt: null } } });
        if (!member)
          throw new HttpError(400, 'VALIDATION_ERROR', 'assignedTo is not a member of this client', [
            { path: ['assignedTo'], code: 'not_a_member', message: 'not a member of this client' },
          ]);
      }
      const data: Prisma.InboundMessageUpdateInput = {};
      if (b.handled !== undefined) {
        // Marking handled again keeps who handled it first.
        if (b.handled && before.handledAt === null) Object.assign(data, { handledAt: new Date(), handledBy: req.caller!.userId });
        if (!b.handled) Object.assign(data, { handledAt: null, handledBy: null });
      }
      if (b.assignedTo !== undefined) data.assignedTo = b.assignedTo;
      const after = await db.inboundMessage.update({ where: { id: replyId }, data });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'reply.update',
        entityType: 'reply',
        entityId: replyId,
        before: { handledAt: before.handledAt, assignedTo: before.assignedTo },
        after: { handledAt: after.handledAt, assignedTo: after.assignedTo },
      });
      const [reply] = await withContext(db, [after]);
      res.json({ reply });
    },
  }),
];

export const repliesRouter = (deps: ApiDeps) => routerFor(deps, REPLIES, replyRoutes);

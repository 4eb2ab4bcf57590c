// /api/v1/feedback — ratings of outputs. Rating needs the member role on the output's client;
// reading lists the feedback of the caller's clients (filters: client, skill, output).
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { feedbackView, FeedbackInput, recordFeedback } from '../../engines/skill-runs/feedback';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { requireLiveClientId } from '../tenancy';
import { uuid } from '../validate';
import { created, dateTime, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { listedClients } from '../cross-client';

export const feedbackBody = FeedbackInput;
export const feedbackQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    outputId: uuid.optional(),
  })
  .strict();

const FeedbackSchema = z.object({
  feedbackId: z.string(),
  outputId: z.string(),
  clientId: z.string(),
  skill: z.string(),
  userId: z.string().nullable(),
  overall: z.number().int(),
  accuracy: z.number().int().nullable(),
  quality: z.number().int().nullable(),
  usefulness: z.number().int().nullable(),
  ruleCompliance: z.number().int().nullable(),
  whatWorked: z.string().nullable(),
  issues: z.array(z.string()),
  suggestedRuleChanges: z.string().nullable(),
  source: z.string(),
  createdAt: dateTime,
});

const FEEDBACK = '/api/v1/feedback';

export const feedbackRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: FEEDBACK,
    summary: 'Rate an output',
    tag: 'feedback',
    access: { kind: 'client', role: 'member' },
    body: feedbackBody,
    responses: { 201: created(FeedbackSchema) },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const b = body();
      const output = await deps.db.output.findFirst({ where: { id: b.outputId, deletedAt: null }, select: { clientId: true } });
      if (!output) throw notFound('output');
      authorizeClient(output.clientId, 'output');
      await requireLiveClientId(deps.db, output.clientId, 'output');
      const row = await recordFeedback(deps.db, req.caller?.userId ?? null, b);
      await recordAudit(deps.db, {
        clientId: row.clientId,
        ...actorOf(req),
        action: 'feedback.create',
        entityType: 'feedback',
        entityId: row.id,
        after: { overall: row.overall },
      });
      res.status(201).json(feedbackView(row));
    },
  }),
  defineRoute({
    method: 'get',
    path: FEEDBACK,
    summary: "Feedback on your clients' outputs",
    tag: 'feedback',
    access: { kind: 'user' },
    query: feedbackQuery,
    responses: { 200: ok(pageOf(FeedbackSchema)) },
    handler: async ({ query: q, req, res, deps }) => {
      const where: Prisma.FeedbackWhereInput = {
        clientId: await listedClients(req, deps.db, q.clientId),
        ...(q.skill ? { skillSlug: q.skill } : {}),
        ...(q.outputId ? { outputId: q.outputId } : {}),
        ...cursorWhere(decodeCursor(q.cursor)),
      };
      const rows = await deps.db.feedback.findMany({ where, orderBy: newestFirst, take: q.limit + 1 });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(feedbackView), nextCursor: p.nextCursor });
    },
  }),
];

export const feedbackRouter = (deps: ApiDeps) => routerFor(deps, FEEDBACK, feedbackRoutes);

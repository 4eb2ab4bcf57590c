// /api/v1/feedback — ratings of outputs. Rating needs the member role on the output's client;
// reading lists the feedback of the caller's clients (filters: client, skill, output).
import { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { feedbackView, FeedbackInput, recordFeedback } from '../../engines/skill-runs/feedback';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { requireLiveClientId, visibleClientIds } from '../tenancy';
import { body, query, uuid } from '../validate';
import { authorizeClientRole as authorizeClient } from '../route-table';

export const feedbackBody = FeedbackInput;
export const feedbackQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    outputId: uuid.optional(),
  })
  .strict();

export function feedbackRouter(deps: ApiDeps): Router {
  const r = Router();

  r.post('/', async (req, res) => {
    const b = body(feedbackBody, req);
    const output = await deps.db.output.findFirst({ where: { id: b.outputId, deletedAt: null }, select: { clientId: true } });
    if (!output) throw notFound('output');
    authorizeClient(req, output.clientId, 'member', 'output');
    await requireLiveClientId(deps.db, output.clientId, 'output');
    const row = await recordFeedback(deps.db, req.caller?.userId ?? null, b);
    await recordAudit(deps.db, { clientId: row.clientId, ...actorOf(req), action: 'feedback.create', entityType: 'feedback', entityId: row.id, after: { overall: row.overall } });
    res.status(201).json(feedbackView(row));
  });

  r.get('/', async (req, res) => {
    const q = query(feedbackQuery, req);
    if (q.clientId) {
      authorizeClient(req, q.clientId, 'viewer');
      await requireLiveClientId(deps.db, q.clientId);
    }
    const where: Prisma.FeedbackWhereInput = {
      clientId: q.clientId ? q.clientId : await visibleClientIds(deps.db, req.caller!),
      ...(q.skill ? { skillSlug: q.skill } : {}),
      ...(q.outputId ? { outputId: q.outputId } : {}),
      ...cursorWhere(decodeCursor(q.cursor)),
    };
    const rows = await deps.db.feedback.findMany({ where, orderBy: newestFirst, take: q.limit + 1 });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(feedbackView), nextCursor: p.nextCursor });
  });
  return r;
}

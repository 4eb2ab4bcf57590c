// /api/v1/outputs — what skill runs produced: list (the caller's clients, filtered by skill, client
// and date), one with its content, and the markdown file. Another tenant's output is a 404.
import { Router } from 'express';
import { z } from 'zod';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { listOutputs, outputFileName, outputView } from '../../engines/skill-runs/runs';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { decodeCursor, page, pageQuery } from '../pagination';
import { requireLiveClientId, visibleClientIds } from '../tenancy';
import { dayOrInstant, params, query, uuid } from '../validate';
import { authorizeClientRole as authorizeClient } from '../route-table';

const day = dayOrInstant;
export const outputsQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    /** From this instant or day (inclusive). */
    from: day.optional(),
    /** Before this instant, or up to the end of this day. */
    to: day.optional(),
  })
  .strict();
export const outputParams = z.object({ outputId: uuid });

const DAY_MS = 86_400_000;
const toDate = (v: string, endOfDay: boolean) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T00:00:00Z`) + (endOfDay ? DAY_MS : 0)) : new Date(v));

export function outputsRouter(deps: ApiDeps): Router {
  const r = Router();

  const loadOutput = async (req: Parameters<typeof authorizeClient>[0], outputId: string) => {
    const output = await deps.db.output.findFirst({ where: { id: outputId, deletedAt: null } });
    if (!output) throw notFound('output');
    authorizeClient(req, output.clientId, 'viewer', 'output');
    await requireLiveClientId(deps.db, output.clientId, 'output');
    return output;
  };

  r.get('/', async (req, res) => {
    const q = query(outputsQuery, req);
    if (q.clientId) {
      authorizeClient(req, q.clientId, 'viewer');
      await requireLiveClientId(deps.db, q.clientId);
    }
    const from = q.from ? toDate(q.from, false) : undefined;
    const to = q.to ? toDate(q.to, true) : undefined;
    if (from && to && from >= to) throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: ['from'], code: 'invalid_range', message: 'from must be before to' }]);
    const clientIds = q.clientId ? { in: [q.clientId] } : await visibleClientIds(deps.db, req.caller!);
    const rows = await listOutputs(deps.db, { clientIds, skill: q.skill, from, to, after: decodeCursor(q.cursor), take: q.limit + 1 });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map((o) => outputView(o)), nextCursor: p.nextCursor });
  });

  r.get('/:outputId', async (req, res) => {
    const { outputId } = params(outputParams, req);
    res.json(outputView(await loadOutput(req, outputId), { content: true }));
  });

  r.get('/:outputId/download', async (req, res) => {
    const { outputId } = params(outputParams, req);
    const output = await loadOutput(req, outputId);
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${outputFileName(output)}"`);
    res.send(output.content);
  });
  return r;
}

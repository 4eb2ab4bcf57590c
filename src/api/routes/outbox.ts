// /api/v1/clients/:clientId/outbox — what the sandbox drivers "sent" (offline mode).
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { clientScope, scopedClientId } from '../tenancy';
import { query } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';

export const listQuery = pageQuery.extend({ channel: z.enum(['email', 'sms', 'linkedin', 'voice', 'mail']).optional() });

export function outboxRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(listQuery, req);
    const rows = await deps.db.sandboxMessage.findMany({
      where: { clientId, ...(q.channel ? { channel: q.channel } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });
  return r;
}

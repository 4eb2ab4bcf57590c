// /api/v1/clients/:clientId/outbox — what the sandbox drivers "sent" (offline mode). An invitation
// email carries the invitee's single-use token: the client's own members (the inviter among them)
// see that it was sent, not its text; platform admins, who stand in for the invitee's mailbox
// offline, see it whole.
import { Router } from 'express';
import type { Prisma, SandboxMessage } from '../../db/client';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { clientScope, scopedClientId } from '../tenancy';
import { query } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';

export const listQuery = pageQuery.extend({ channel: z.enum(['email', 'sms', 'linkedin', 'voice', 'mail']).optional() });

const REDACTED = '[hidden: an invitation holds a single-use token for its recipient alone]';

function isInvitation(m: SandboxMessage): boolean {
  const payload = m.payload as { metadata?: { kind?: unknown } } | null;
  return payload?.metadata?.kind === 'invitation';
}

function redactInvitation(m: SandboxMessage): SandboxMessage {
  if (!isInvitation(m)) return m;
  const payload = { ...(m.payload as Prisma.JsonObject) };
  for (const field of ['text', 'html'] as const) if (field in payload) payload[field] = REDACTED;
  return { ...m, payload };
}

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
    const p = page(rows, q.limit);
    res.json(req.caller!.isPlatformAdmin ? p : { ...p, data: p.data.map(redactInvitation) });
  });
  return r;
}

// /api/v1/clients/:clientId/outbox — what the sandbox drivers "sent" (offline mode). An invitation
// email carries the invitee's single-use token: the client's own members (the inviter among them)
// see that it was sent, not its text; platform admins, who stand in for the invitee's mailbox
// offline, see it whole.
import type { Prisma, SandboxMessage } from '../../db/client';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { SandboxMessageSchema } from '../openapi/models';
import { ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

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

export const outboxRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/clients/{clientId}/outbox',
    summary: 'Messages the offline (sandbox) drivers recorded',
    tag: 'outbox',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(SandboxMessageSchema)) },
    handler: async ({ query, req, res, deps }) => {
      const clientId = scopedClientId(req);
      const q = query;
      const rows = await deps.db.sandboxMessage.findMany({
        where: { clientId, ...(q.channel ? { channel: q.channel } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json(req.caller!.isPlatformAdmin ? p : { ...p, data: p.data.map(redactInvitation) });
    },
  }),
];

export const outboxRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/outbox', outboxRoutes);

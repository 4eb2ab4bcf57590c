// /api/v1/clients/:clientId/members — who belongs to the client. Everyone in the client may list
// them; only an owner (or a platform admin) invites, re-roles and removes. POST invites: it emails
// the address a single-use token and answers 202 with the pending invitation, the same whether or
// not the address has an account; the person becomes a member when they accept (./invitations.ts).
// Nobody ever receives a credential for someone else.
import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { changeMemberRole, findMember, MemberError, memberView, removeMember } from '../../engines/members';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { inviteAndSend } from './invitations';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, query, uuid } from '../validate';

const role = z.enum(['owner', 'admin', 'member', 'viewer']);
export const memberListQuery = pageQuery.extend({ role: role.optional() }).strict();
export const addMemberBody = z
  .object({
    email: z.email().max(320),
    role,
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const changeRoleBody = z.object({ role }).strict();
export const memberParams = z.object({ clientId: uuid, userId: uuid });

function memberFailure(err: unknown): never {
  if (err instanceof MemberError) {
    if (err.code === 'NOT_FOUND') throw notFound('member');
    throw new HttpError(409, err.code, err.message);
  }
  throw err;
}

export function membersRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(memberListQuery, req);
    const rows = await db.membership.findMany({
      where: { clientId, deletedAt: null, user: { deletedAt: null }, ...(q.role ? { role: q.role } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      include: { user: true },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(memberView), nextCursor: p.nextCursor });
  });

  r.get('/:userId', clientScope('viewer'), async (req, res) => {
    const { clientId, userId } = params(memberParams, req);
    const member = await findMember(db, clientId, userId);
    if (!member) throw notFound('member');
    res.json({ member });
  });

  r.post('/', clientScope('owner'), async (req, res) => {
    const clientId = scopedClientId(req);
    const input = body(addMemberBody, req);
    const invitation = await inviteAndSend(deps, req, { clientId, email: input.email, role: input.role, name: input.name });
    res.status(202).json({ invitation });
  });

  r.patch('/:userId', clientScope('owner'), async (req, res) => {
    const { clientId, userId } = params(memberParams, req);
    // Existence before the body: another tenant's user is a 404 whatever was sent.
    if (!(await findMember(db, clientId, userId))) throw notFound('member');
    const input = body(changeRoleBody, req);
    const out = await changeMemberRole(db, clientId, userId, input.role).catch(memberFailure);
    if (out.before.role !== out.after.role) {
      await recordAudit(db, { clientId, ...actorOf(req), action: 'member.change_role', entityType: 'membership', entityId: userId, before: { role: out.before.role }, after: { role: out.after.role } });
    }
    res.json({ member: out.after });
  });

  r.delete('/:userId', clientScope('owner'), async (req, res) => {
    const { clientId, userId } = params(memberParams, req);
    const removed = await removeMember(db, clientId, userId).catch(memberFailure);
    await recordAudit(db, { clientId, ...actorOf(req), action: 'member.remove', entityType: 'membership', entityId: userId, before: removed });
    res.status(204).end();
  });

  return r;
}

// /api/v1/clients/:clientId/members — who belongs to the client. Everyone in the client may list
// them; only an owner (or a platform admin) invites, re-roles and removes. POST invites: it emails
// the address a single-use token and answers 202 with the pending invitation, the same whether or
// not the address has an account; the person becomes a member when they accept (./invitations.ts).
// Nobody ever receives a credential for someone else.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { changeMemberRole, findMember, MemberError, memberView, removeMember } from '../../engines/members';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { inviteAndSend } from './invitations';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { InvitationSchema, MemberSchema } from '../openapi/models';
import { noContent, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

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

const base = '/api/v1/clients/{clientId}/members';

export const memberRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: base,
    summary: "The client's members",
    tag: 'members',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: memberListQuery,
    responses: { 200: ok(pageOf(MemberSchema)) },
    handler: async ({ query, req, res, deps }) => {
      const { db } = deps;
      const clientId = scopedClientId(req);
      const q = query;
      const rows = await db.membership.findMany({
        where: { clientId, deletedAt: null, user: { deletedAt: null }, ...(q.role ? { role: q.role } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        include: { user: true },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(memberView), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/{userId}`,
    summary: 'One member',
    tag: 'members',
    access: { kind: 'client', role: 'viewer' },
    params: memberParams,
    responses: { 200: ok(z.object({ member: MemberSchema })) },
    handler: async ({ params, res, deps }) => {
      const { db } = deps;
      const { clientId, userId } = params;
      const member = await findMember(db, clientId, userId);
      if (!member) throw notFound('member');
      res.json({ member });
    },
  }),
  defineRoute({
    method: 'post',
    path: base,
    summary: 'Invite someone by email (they become a member when they accept)',
    description:
      'Emails the address a single-use invitation token (valid 7 days) and answers 202 with the pending invitation: the same answer ' +
      'whether or not the address already has an account, and never a credential. Inviting the same address again replaces (revokes) ' +
      'the pending invitation. The invitee redeems the token at `POST /api/v1/invitations/accept`. 409 ALREADY_MEMBER if the address ' +
      'is already a member of this client.',
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: z.object({ clientId: uuid }),
    body: addMemberBody,
    responses: { 202: ok(z.object({ invitation: InvitationSchema }), 'Invitation sent') },
    handler: async ({ body, req, res, deps }) => {
      const clientId = scopedClientId(req);
      const input = body();
      const invitation = await inviteAndSend(deps, req, { clientId, email: input.email, role: input.role, name: input.name });
      res.status(202).json({ invitation });
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${base}/{userId}`,
    summary: "Change a member's role (the last owner stays an owner)",
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: memberParams,
    body: changeRoleBody,
    responses: { 200: ok(z.object({ member: MemberSchema })) },
    handler: async ({ params, body, req, res, deps }) => {
      const { db } = deps;
      const { clientId, userId } = params;
      // Existence before the body: another tenant's user is a 404 whatever was sent.
      if (!(await findMember(db, clientId, userId))) throw notFound('member');
      const input = body();
      const out = await changeMemberRole(db, clientId, userId, input.role).catch(memberFailure);
      if (out.before.role !== out.after.role) {
        await recordAudit(db, {
          clientId,
          ...actorOf(req),
          action: 'member.change_role',
          entityType: 'membership',
          entityId: userId,
          before: { role: out.before.role },
          after: { role: out.after.role },
        });
      }
      res.json({ member: out.after });
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${base}/{userId}`,
    summary: 'Remove a member (not the last owner)',
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: memberParams,
    responses: { 204: noContent },
    handler: async ({ params, req, res, deps }) => {
      const { db } = deps;
      const { clientId, userId } = params;
      const removed = await removeMember(db, clientId, userId).catch(memberFailure);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'member.remove', entityType: 'membership', entityId: userId, before: removed });
      res.status(204).end();
    },
  }),
];

export const membersRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/members', memberRoutes);

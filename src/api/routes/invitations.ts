// Invitations. Inside a client (/api/v1/clients/:clientId/invitations): admins list, read and revoke
// them; owners create them through POST .../members. Public (/api/v1/invitations/accept): the
// invitee redeems the emailed token, with no API key when the address is new (the answer holds their
// own first key) or with their own key when they already have an account.
import type { Request } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import {
  acceptInvitation,
  createInvitation,
  INVITATION_TOKEN_PATTERN,
  InvitationError,
  invitationView,
  revokeInvitation,
  sendInvitationEmail,
  type InvitationView,
} from '../../engines/invitations';
import type { MembershipRole } from '../../db/client';
import { createEmailProvider } from '../../integrations/channel-registry';
import { PrismaSandboxRecorder } from '../../integrations/sandbox/prisma-recorder';
import type { ChannelProvider } from '../../integrations/channels';
import { actorOf } from '../actor';
import { optionalAuthenticate } from '../auth';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { keyView } from './keys';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { ApiKeySchema, InvitationSchema, MemberSchema } from '../openapi/models';
import { created, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

export const invitationStatusEnum = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export const invitationListQuery = pageQuery.extend({ status: invitationStatusEnum.optional() }).strict();
export const invitationParams = z.object({ clientId: uuid, invitationId: uuid });
export const acceptInvitationBody = z
  .object({
    token: z.string().regex(INVITATION_TOKEN_PATTERN, 'must be the invitation code from the email (aos_inv_…)'),
    // For a new account: the user's name (default: the one in the invitation) and their first key's name.
    name: z.string().trim().min(1).max(200).optional(),
    keyName: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const STATUS: Record<InvitationError['code'], number> = {
  NOT_FOUND: 404,
  EXPIRED: 410,
  USED: 410,
  REVOKED: 410,
  CLIENT_DELETED: 410,
  SIGN_IN_REQUIRED: 401,
  WRONG_ACCOUNT: 403,
  USER_DISABLED: 403,
  ALREADY_MEMBER: 409,
  CONFLICT: 409,
};

export function invitationFailure(err: unknown): never {
  if (err instanceof InvitationError) {
    const code =
      err.code === 'NOT_FOUND'
        ? 'INVITATION_NOT_FOUND'
        : err.code === 'EXPIRED' || err.code === 'USED' || err.code === 'REVOKED'
          ? `INVITATION_${err.code}`
          : err.code;
    const headers = err.code === 'SIGN_IN_REQUIRED' ? { 'WWW-Authenticate': 'Bearer' } : undefined;
    throw new HttpError(STATUS[err.code], code, err.message, undefined, headers);
  }
  throw err;
}

function statusWhere(status: z.infer<typeof invitationStatusEnum> | undefined, now: Date) {
  switch (status) {
    case 'accepted':
      return { acceptedAt: { not: null } };
    case 'revoked':
      return { acceptedAt: null, revokedAt: { not: null } };
    case 'expired':
      return { acceptedAt: null, revokedAt: null, expiresAt: { lte: now } };
    case 'pending':
      return { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } };
    default:
      return {};
  }
}

/** The email driver for service emails: Postmark when configured, the sandbox outbox otherwise. */
const emailProviders = new WeakMap<ApiDeps, ChannelProvider>();
function emailFor(deps: ApiDeps): ChannelProvider {
  let p = emailProviders.get(deps);
  if (!p) emailProviders.set(deps, (p = createEmailProvider(deps.config, new PrismaSandboxRecorder(deps.db))));
  return p;
}

/**
 * Creates an invitation, emails the token to the invitee and audits it. The caller gets the
 * invitation's view only: the same answer whether or not the address has an account. An email the
 * provider refused leaves no usable invitation behind (it is revoked) and answers 502.
 */
export async function inviteAndSend(
  deps: ApiDeps,
  req: Request,
  input: { clientId: string; email: string; role: MembershipRole; name?: string | null },
): Promise<InvitationView> {
  const { db, config } = deps;
  const caller = req.caller!;
  const out = await createInvitation(db, { ...input, invitedById: caller.userId }).catch(invitationFailure);
  const [client, inviter] = await Promise.all([
    db.client.findUniqueOrThrow({ where: { id: input.clientId }, select: { name: true } }),
    db.user.findUnique({ where: { id: caller.userId }, select: { name: true, email: true } }),
  ]);
  const apiBaseUrl = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
  try {
    await sendInvitationEmail(emailFor(deps), {
      invitation: out.invitation,
      token: out.token,
      clientName: client.name,
      inviterName: inviter?.name ?? inviter?.email ?? null,
      from: config.SYSTEM_EMAIL_FROM,
      apiBaseUrl,
    });
  } catch (err) {
    await db.invitation.update({ where: { id: out.invitation.id }, data: { revokedAt: new Date() } });
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err), invitationId: out.invitation.id }, 'invitation email failed');
    throw new HttpError(502, 'EMAIL_FAILED', 'the invitation email could not be sent; try again');
  }
  const view = invitationView(out.invitation);
  await recordAudit(db, {
    clientId: input.clientId,
    ...actorOf(req),
    action: 'invitation.create',
    entityType: 'invitation',
    entityId: view.id,
    after: { ...view, replacedInvitationIds: out.replaced },
  });
  return view;
}

const INVITATIONS = '/api/v1/clients/{clientId}/invitations';
const invitationEnvelope = z.object({ invitation: InvitationSchema });

export const invitationRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: INVITATIONS,
    summary: "The client's invitations (pending, accepted, revoked, expired)",
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    query: invitationListQuery,
    responses: { 200: ok(pageOf(InvitationSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const rows = await db.invitation.findMany({
        where: { clientId, ...statusWhere(q.status, new Date()), AND: [cursorWhere(decodeCursor(q.cursor))] },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(invitationView), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${INVITATIONS}/{invitationId}`,
    summary: 'One invitation',
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: invitationParams,
    responses: { 200: ok(invitationEnvelope) },
    handler: async ({ params: { clientId, invitationId }, res, deps: { db } }) => {
      const row = await db.invitation.findFirst({ where: { id: invitationId, clientId } });
      if (!row) throw notFound('invitation');
      res.json({ invitation: invitationView(row) });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${INVITATIONS}/{invitationId}/revoke`,
    summary: 'Withdraw a pending invitation (its token stops working)',
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: invitationParams,
    body: z.object({}).strict(),
    responses: { 200: ok(invitationEnvelope) },
    handler: async ({ params: { clientId, invitationId }, body, req, res, deps: { db } }) => {
      body();
      const out = await revokeInvitation(db, clientId, invitationId);
      if (!out) throw notFound('invitation');
      if (out.after.revokedAt && !out.before.revokedAt) {
        await recordAudit(db, {
          clientId,
          ...actorOf(req),
          action: 'invitation.revoke',
          entityType: 'invitation',
          entityId: invitationId,
          before: invitationView(out.before),
          after: invitationView(out.after),
        });
      }
      res.json({ invitation: invitationView(out.after) });
    },
  }),
];

export const invitationAcceptRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: '/api/v1/invitations/accept',
    summary: 'Accept an invitation with the token from its email',
    description:
      'The token is the credential and works once. A new address: send no API key; the answer creates your account and holds your own ' +
      "first API key (`secret`, shown once). An address that already has an account: send the request with that account's API key " +
      "(without one: 401 SIGN_IN_REQUIRED; another account's key: 403 WRONG_ACCOUNT). Unknown token: 404; used, revoked or " +
      'expired: 410 INVITATION_USED / INVITATION_REVOKED / INVITATION_EXPIRED; already a member: 409.',
    tag: 'members',
    // The token is the credential; an API key is optional (an existing account's own).
    access: { kind: 'public' },
    before: (deps) => [optionalAuthenticate(deps.db)],
    body: acceptInvitationBody,
    responses: {
      201: created(
        z.object({
          member: MemberSchema,
          client: z.object({ id: uuid, name: z.string() }),
          userCreated: z.boolean(),
          key: ApiKeySchema.nullable(),
          secret: z.string().nullable().describe('Your new API key (new accounts only): shown once, never again.'),
        }),
      ),
    },
    handler: async ({ body, req, res, deps: { db } }) => {
      const input = body();
      const out = await acceptInvitation(db, { token: input.token, callerUserId: req.caller?.userId ?? null, name: input.name, keyName: input.keyName }).catch(
        invitationFailure,
      );
      const actor = { actorId: out.member.userId, actorKeyId: req.caller?.keyId ?? null, requestId: actorOf(req).requestId };
      await recordAudit(db, {
        clientId: out.client.id,
        ...actor,
        action: 'invitation.accept',
        entityType: 'invitation',
        entityId: out.invitation.id,
        after: invitationView(out.invitation),
      });
      await recordAudit(db, {
        clientId: out.client.id,
        ...actor,
        action: 'member.add',
        entityType: 'membership',
        entityId: out.member.userId,
        after: { ...out.member, invitationId: out.invitation.id, invitedById: out.invitation.invitedById, userCreated: out.userCreated },
      });
      const key = out.key ? keyView(await db.apiKey.findUniqueOrThrow({ where: { id: out.key.id } })) : null;
      if (key)
        await recordAudit(db, {
          ...actor,
          action: 'api_key.create',
          entityType: 'api_key',
          entityId: key.id,
          after: { ...key, invitationId: out.invitation.id },
        });
      // The secret goes to the invitee, who sent the token: it is their own first key.
      res.status(201).json({ member: out.member, client: out.client, userCreated: out.userCreated, key, secret: out.key?.secret ?? null });
    },
  }),
];

export const invitationsRouter = (deps: ApiDeps) => routerFor(deps, INVITATIONS, invitationRoutes);
export const invitationAcceptRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/invitations', invitationAcceptRoutes);

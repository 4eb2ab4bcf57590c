// Invitations. Inside a client (/api/v1/clients/:clientId/invitations): admins list, read and revoke
// them; owners create them through POST .../members. Public (/api/v1/invitations/accept): the
// invitee redeems the emailed token, with no API key when the address is new (the answer holds their
// own first key) or with their own key when they already have an account.
import { Router, type Request } from 'express';
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
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, query, uuid } from '../validate';

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
    const code = err.code === 'NOT_FOUND' ? 'INVITATION_NOT_FOUND' : err.code === 'EXPIRED' || err.code === 'USED' || err.code === 'REVOKED' ? `INVITATION_${err.code}` : err.code;
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

/** GET/POST /api/v1/clients/:clientId/invitations… (mounted in the tenant router). */
export function invitationsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  r.get('/', clientScope('admin'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(invitationListQuery, req);
    const rows = await db.invitation.findMany({
      where: { clientId, ...statusWhere(q.status, new Date()), AND: [cursorWhere(decodeCursor(q.cursor))] },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(invitationView), nextCursor: p.nextCursor });
  });

  r.get('/:invitationId', clientScope('admin'), async (req, res) => {
    const { clientId, invitationId } = params(invitationParams, req);
    const row = await db.invitation.findFirst({ where: { id: invitationId, clientId } });
    if (!row) throw notFound('invitation');
    res.json({ invitation: invitationView(row) });
  });

  r.post('/:invitationId/revoke', clientScope('admin'), async (req, res) => {
    const { clientId, invitationId } = params(invitationParams, req);
    body(z.object({}).strict(), req);
    const out = await revokeInvitation(db, clientId, invitationId);
    if (!out) throw notFound('invitation');
    if (out.after.revokedAt && !out.before.revokedAt) {
      await recordAudit(db, { clientId, ...actorOf(req), action: 'invitation.revoke', entityType: 'invitation', entityId: invitationId, before: invitationView(out.before), after: invitationView(out.after) });
    }
    res.json({ invitation: invitationView(out.after) });
  });

  return r;
}

/** POST /api/v1/invitations/accept: the token is the credential; an API key is optional. */
export function invitationAcceptRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  r.post('/accept', optionalAuthenticate(db), async (req, res) => {
    const input = body(acceptInvitationBody, req);
    const out = await acceptInvitation(db, { token: input.token, callerUserId: req.caller?.userId ?? null, name: input.name, keyName: input.keyName }).catch(invitationFailure);
    const actor = { actorId: out.member.userId, actorKeyId: req.caller?.keyId ?? null, requestId: actorOf(req).requestId };
    await recordAudit(db, { clientId: out.client.id, ...actor, action: 'invitation.accept', entityType: 'invitation', entityId: out.invitation.id, after: invitationView(out.invitation) });
    await recordAudit(db, {
      clientId: out.client.id,
      ...actor,
      action: 'member.add',
      entityType: 'membership',
      entityId: out.member.userId,
      after: { ...out.member, invitationId: out.invitation.id, invitedById: out.invitation.invitedById, userCreated: out.userCreated },
    });
    const key = out.key ? keyView(await db.apiKey.findUniqueOrThrow({ where: { id: out.key.id } })) : null;
    if (key) await recordAudit(db, { ...actor, action: 'api_key.create', entityType: 'api_key', entityId: key.id, after: { ...key, invitationId: out.invitation.id } });
    // The secret goes to the invitee, who sent the token: it is their own first key.
    res.status(201).json({ member: out.member, client: out.client, userCreated: out.userCreated, key, secret: out.key?.secret ?? null });
  });

  return r;
}

// Invitations: how a person joins a client. An owner invites an email address with a role; the
// invitee gets a single-use token by email (never the inviter: the API answers the same whether or
// not the address has an account) and redeems it. A new address becomes a user with their own first
// API key, shown to them alone; an existing user accepts with their own key. The token is 256 random
// bits, stored only as its SHA-256, so a lookup by hash is the (constant-time) comparison.
import { createHash, randomBytes } from 'node:crypto';
import { Prisma, type Db, type Invitation, type MembershipRole } from '../db/client';
import type { ChannelProvider } from '../integrations/channels';
import { createApiKey } from './api-keys';
import { memberView, normalizeUserEmail, type MemberView } from './members';

export const INVITATION_TTL_MS = 7 * 86_400_000;
const TOKEN_PREFIX = 'aos_inv_';
export const INVITATION_TOKEN_PATTERN = /^aos_inv_[A-Za-z0-9_-]{43}$/;

export type InvitationErrorCode =
  'ALREADY_MEMBER' | 'CONFLICT' | 'NOT_FOUND' | 'EXPIRED' | 'USED' | 'REVOKED' | 'CLIENT_DELETED' | 'SIGN_IN_REQUIRED' | 'WRONG_ACCOUNT' | 'USER_DISABLED';

export class InvitationError extends Error {
  constructor(
    readonly code: InvitationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InvitationError';
  }
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export function invitationStatus(i: Pick<Invitation, 'acceptedAt' | 'revokedAt' | 'expiresAt'>, now = new Date()): InvitationStatus {
  if (i.acceptedAt) return 'accepted';
  if (i.revokedAt) return 'revoked';
  return i.expiresAt <= now ? 'expired' : 'pending';
}

/** Everything about an invitation except its token hash. */
export function invitationView(i: Invitation) {
  return {
    id: i.id,
    clientId: i.clientId,
    email: i.email,
    role: i.role,
    name: i.name,
    status: invitationStatus(i),
    invitedById: i.invitedById,
    expiresAt: i.expiresAt,
    acceptedAt: i.acceptedAt,
    revokedAt: i.revokedAt,
    createdAt: i.createdAt,
  };
}
export type InvitationView = ReturnType<typeof invitationView>;

export const hashInvitationToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function generateInvitationToken(): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashInvitationToken(token) };
}

const pendingWhere = (now: Date) => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: now } });

/**
 * Creates a pending invitation (the token is returned here only, for the email). An earlier pending
 * invitation of the same address to the same client is revoked: inviting again is resending. The
 * only refusal is an address that is already a member of this client, which the inviter can see in
 * the member list anyway; whether the address has an account elsewhere changes nothing.
 */
export async function createInvitation(
  db: Db,
  input: { clientId: string; email: string; role: MembershipRole; name?: string | null; invitedById: string | null },
  now = new Date(),
): Promise<{ invitation: Invitation; token: string; replaced: string[] }> {
  const email = normalizeUserEmail(input.email);
  return db.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { clientId: input.clientId, deletedAt: null, user: { email } }, select: { id: true } });
    if (member) throw new InvitationError('ALREADY_MEMBER', 'this address is already a member of the client');
    const earlier = await tx.invitation.findMany({ where: { clientId: input.clientId, email, ...pendingWhere(now) }, select: { id: true } });
    if (earlier.length) await tx.invitation.updateMany({ where: { id: { in: earlier.map((e) => e.id) } }, data: { revokedAt: now } });
    const { token, hash } = generateInvitationToken();
    const invitation = await tx.invitation.create({
      data: {
        clientId: input.clientId,
        email,
        role: input.role,
        name: input.name ?? null,
        tokenHash: hash,
        invitedById: input.invitedById,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      },
    });
    return { invitation, token, replaced: earlier.map((e) => e.id) };
  });
}

/** Revokes a pending invitation; an accepted, revoked or expired one is returned unchanged. */
export async function revokeInvitation(db: Db, clientId: string, id: string, now = new Date()): Promise<{ before: Invitation; after: Invitation } | null> {
  const before = await db.invitation.findFirst({ where: { id, clientId } });
  if (!before) return null;
  if (invitationStatus(before, now) !== 'pending') return { before, after: before };
  await db.invitation.updateMany({ where: { id, ...pendingWhere(now) }, data: { revokedAt: now } });
  return { before, after: await db.invitation.findUniqueOrThrow({ where: { id } }) };
}

/** The invitation email: the same text whether or not the address has an account. */
export function invitationEmailText(input: {
  clientName: string;
  role: MembershipRole;
  inviterName: string | null;
  token: string;
  expiresAt: Date;
  apiBaseUrl: string;
}): string {
  const who = input.inviterName ? `${input.inviterName} has invited you` : 'You have been invited';
  return [
    `${who} to join ${input.clientName} on Agency OS as ${input.role === 'admin' || input.role === 'owner' ? 'an' : 'a'} ${input.role}.`,
    '',
    `Your invitation code (it works once, until ${input.expiresAt.toISOString()}):`,
    '',
    `    ${input.token}`,
    '',
    'To accept, send it to the API:',
    '',
    `    curl -X POST ${input.apiBaseUrl}/api/v1/invitations/accept -H 'Content-Type: application/json' -d '{"token":"${input.token}"}'`,
    '',
    'New to Agency OS? No API key is needed: the answer holds your own API key, shown once, so keep it safe.',
    'Already have an account? Send the same request with your API key (-H "Authorization: Bearer <your key>").',
    '',
    'If you did not expect this invitation, ignore this email: it expires on its own. Nobody else has this code.',
  ].join('\n');
}

/**
 * Sends the invitation email. The idempotency key is the invitation's, so a provider that already
 * accepted it does not send it twice; the metadata `kind: invitation` lets the sandbox outbox hide
 * the token from everyone but platform admins (the invitee's stand-in offline).
 */
export async function sendInvitationEmail(
  email: ChannelProvider,
  input: { invitation: Invitation; token: string; clientName: string; inviterName: string | null; from: string; apiBaseUrl: string },
): Promise<void> {
  const { invitation } = input;
  await email.send({
    channel: 'email',
    clientId: invitation.clientId,
    idempotencyKey: `invitation:${invitation.id}`,
    to: { email: invitation.email, ...(invitation.name ? { name: invitation.name } : {}) },
    from: { name: 'Agency OS', email: input.from },
    subject: `You are invited to join ${input.clientName} on Agency OS`,
    text: invitationEmailText({
      clientName: input.clientName,
      role: invitation.role,
      inviterName: input.inviterName,
      token: input.token,
      expiresAt: invitation.expiresAt,
      apiBaseUrl: input.apiBaseUrl,
    }),
    metadata: { kind: 'invitation', invitationId: invitation.id },
    transactional: true,
  });
}

export interface Accepted {
  invitation: Invitation;
  member: MemberView;
  client: { id: string; name: string };
  userCreated: boolean;
  /** Only for a new user: their first key, made by them (this request), shown once. */
  key: { id: string; secret: string } | null;
}

/**
 * Redeems a token. `callerUserId` is the user whose API key came with the request (null without one).
 * An address with an account must accept with that account's key; a new address must come without
 * one (it gets its own). Single use: the invitation is consumed in the same transaction that makes
 * the membership, guarded so two concurrent redemptions make one.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; callerUserId: string | null; name?: string; keyName?: string },
  now = new Date(),
): Promise<Accepted> {
  const done = db.$transaction(async (tx) => {
    const inv = await tx.invitation.findUnique({ where: { tokenHash: hashInvitationToken(input.token) } });
    if (!inv) throw new InvitationError('NOT_FOUND', 'no invitation has this token');
    const status = invitationStatus(inv, now);
    if (status === 'accepted') throw new InvitationError('USED', 'this invitation has already been accepted');
    if (status === 'revoked') throw new InvitationError('REVOKED', 'this invitation was withdrawn');
    if (status === 'expired') throw new InvitationError('EXPIRED', 'this invitation has expired; ask for a new one');
    const client = await tx.client.findFirst({ where: { id: inv.clientId, deletedAt: null }, select: { id: true, name: true } });
    if (!client) throw new InvitationError('CLIENT_DELETED', 'the client of this invitation no longer exists');

    let user = await tx.user.findUnique({ where: { email: inv.email } });
    let userCreated = false;
    if (user) {
      if (user.deletedAt) throw new InvitationError('USER_DISABLED', 'this account is disabled');
      if (!input.callerUserId) throw new InvitationError('SIGN_IN_REQUIRED', 'this address already has an account: accept with its API key');
      if (input.callerUserId !== user.id) throw new InvitationError('WRONG_ACCOUNT', 'this invitation is for another account');
    } else {
      if (input.callerUserId) throw new InvitationError('WRONG_ACCOUNT', 'this invitation is for another address: accept it without an API key');
      user = await tx.user.create({ data: { email: inv.email, name: input.name ?? inv.name } });
      userCreated = true;
    }

    const existing = await tx.membership.findUnique({ where: { userId_clientId: { userId: user.id, clientId: inv.clientId } } });
    if (existing && !existing.deletedAt) throw new InvitationError('ALREADY_MEMBER', 'you are already a member of this client');
    const consumed = await tx.invitation.updateMany({ where: { id: inv.id, ...pendingWhere(now) }, data: { acceptedAt: now, acceptedById: user.id } });
    if (consumed.count !== 1) throw new InvitationError('USED', 'this invitation has already been accepted');
    const membership = existing
      ? await tx.membership.update({ where: { id: existing.id }, data: { role: inv.role, deletedAt: null, acceptedAt: now }, include: { user: true } })
      : await tx.membership.create({ data: { clientId: inv.clientId, userId: user.id, role: inv.role, acceptedAt: now }, include: { user: true } });
    // The invitee's own key: made by this request, which only the token's holder could send.
    const key = userCreated ? await createApiKey(tx as unknown as Db, { userId: user.id, name: input.keyName ?? 'first key' }) : null;
    return {
      invitation: await tx.invitation.findUniqueOrThrow({ where: { id: inv.id } }),
      member: memberView(membership),
      client,
      userCreated,
      key: key ? { id: key.id, secret: key.key } : null,
    };
  });
  return done.catch((err: unknown) => {
    // A concurrent redemption (or another invitation of the same address) created the user or membership first.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
      throw new InvitationError('CONFLICT', 'a concurrent change got there first; try again');
    throw err;
  });
}

// Client memberships: who belongs to a client and with which role. A client always keeps at least one
// owner; removing a member is a soft delete, and adding them again restores the row.
import { randomBytes } from 'node:crypto';
import { Prisma, type Db, type MembershipRole } from '../db/client';
import { createApiKey } from './api-keys';

/** A newly created user gets a key that lives this long: enough to log in once and make their own. */
export const INITIAL_KEY_TTL_MS = 7 * 86_400_000;

export class MemberError extends Error {
  constructor(
    readonly code: 'ALREADY_MEMBER' | 'CONFLICT' | 'LAST_OWNER' | 'NOT_FOUND' | 'USER_DISABLED',
    message: string,
  ) {
    super(message);
    this.name = 'MemberError';
  }
}

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  role: MembershipRole;
  acceptedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type MembershipWithUser = {
  userId: string;
  role: MembershipRole;
  acceptedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  user: { email: string; name: string | null };
};

export function memberView(m: MembershipWithUser): MemberView {
  return { userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, acceptedAt: m.acceptedAt, createdAt: m.createdAt, updatedAt: m.updatedAt };
}

export const normalizeUserEmail = (email: string) => email.trim().toLowerCase();

async function liveOwners(db: Pick<Db, 'membership'>, clientId: string): Promise<number> {
  return db.membership.count({ where: { clientId, role: 'owner', deletedAt: null, user: { deletedAt: null } } });
}

export async function findMember(db: Db, clientId: string, userId: string): Promise<MemberView | null> {
  const m = await db.membership.findFirst({ where: { clientId, userId, deletedAt: null }, include: { user: true } });
  return m ? memberView(m) : null;
}

/**
 * Finds the user by email (creating it when there is none) and gives them the role on the client.
 * A user created here gets a short-lived initial key, returned once, for the inviter to hand over.
 */
export async function addMember(
  db: Db,
  input: { clientId: string; email: string; role: MembershipRole; name?: string | null },
): Promise<{ member: MemberView; userCreated: boolean; initialKey: { id: string; secret: string; expiresAt: Date } | null }> {
  const email = normalizeUserEmail(input.email);
  const added = db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email } });
    let userCreated = false;
    if (user?.deletedAt) throw new MemberError('USER_DISABLED', 'this user is disabled');
    if (!user) {
      user = await tx.user.create({ data: { email, name: input.name ?? null } });
      userCreated = true;
    }
    const existing = await tx.membership.findUnique({ where: { userId_clientId: { userId: user.id, clientId: input.clientId } } });
    if (existing && !existing.deletedAt) throw new MemberError('ALREADY_MEMBER', 'this user is already a member of the client');
    const membership = existing
      ? await tx.membership.update({
          where: { id: existing.id },
          data: { role: input.role, deletedAt: null, acceptedAt: new Date() },
          include: { user: true },
        })
      : await tx.membership.create({
          data: { clientId: input.clientId, userId: user.id, role: input.role, acceptedAt: new Date() },
          include: { user: true },
        });
    let initialKey = null;
    if (userCreated) {
      const expiresAt = new Date(Date.now() + INITIAL_KEY_TTL_MS);
      const k = await createApiKey(tx as unknown as Db, { userId: user.id, name: `initial key ${randomBytes(2).toString('hex')}`, expiresAt });
      initialKey = { id: k.id, secret: k.key, expiresAt };
    }
    return { member: memberView(membership), userCreated, initialKey };
  });
  return added.catch((err: unknown) => {
    // A concurrent add created the same user or membership first (unique email / user+client).
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw new MemberError('CONFLICT', 'a concurrent change got there first; try again');
    throw err;
  });
}

/** Changes a member's role; the last owner cannot be demoted. Returns the view before and after. */
export async function changeMemberRole(db: Db, clientId: string, userId: string, role: MembershipRole): Promise<{ before: MemberView; after: MemberView }> {
  return db.$transaction(async (tx) => {
    // Lock the client's owner rows so two concurrent demotions cannot both see "another owner left".
    await tx.$queryRaw`SELECT id FROM memberships WHERE "clientId" = ${clientId} AND role = 'owner' AND "deletedAt" IS NULL FOR UPDATE`;
    const m = await tx.membership.findFirst({ where: { clientId, userId, deletedAt: null }, include: { user: true } });
    if (!m) throw new MemberError('NOT_FOUND', 'member not found');
    if (m.role === 'owner' && role !== 'owner' && (await liveOwners(tx, clientId)) <= 1) {
      throw new MemberError('LAST_OWNER', 'the client must keep at least one owner');
    }
    const updated = await tx.membership.update({ where: { id: m.id }, data: { role }, include: { user: true } });
    return { before: memberView(m), after: memberView(updated) };
  });
}

/** Soft-deletes the membership; the last owner cannot be removed. */
export async function removeMember(db: Db, clientId: string, userId: string): Promise<MemberView> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM memberships WHERE "clientId" = ${clientId} AND role = 'owner' AND "deletedAt" IS NULL FOR UPDATE`;
    const m = await tx.membership.findFirst({ where: { clientId, userId, deletedAt: null }, include: { user: true } });
    if (!m) throw new MemberError('NOT_FOUND', 'member not found');
    if (m.role === 'owner' && (await liveOwners(tx, clientId)) <= 1) {
      throw new MemberError('LAST_OWNER', 'the client must keep at least one owner');
    }
    await tx.membership.update({ where: { id: m.id }, data: { deletedAt: new Date() } });
    return memberView(m);
  });
}

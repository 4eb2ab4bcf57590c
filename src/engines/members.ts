// Client memberships: who belongs to a client and with which role. People join by accepting an
// invitation (./invitations.ts), never by being added silently. A client keeps at least one owner
// once it has one; removing a member is a soft delete (accepting a new invitation restores the row)
// and revokes every key bound to the membership (ApiKey.membershipId).
import type { Db, MembershipRole } from '../db/client';

export class MemberError extends Error {
  constructor(
    readonly code: 'LAST_OWNER' | 'NOT_FOUND',
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

/** Soft-deletes the membership and revokes the keys bound to it; the last owner cannot be removed. */
export async function removeMember(db: Db, clientId: string, userId: string): Promise<MemberView> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM memberships WHERE "clientId" = ${clientId} AND role = 'owner' AND "deletedAt" IS NULL FOR UPDATE`;
    const m = await tx.membership.findFirst({ where: { clientId, userId, deletedAt: null }, include: { user: true } });
    if (!m) throw new MemberError('NOT_FOUND', 'member not found');
    if (m.role === 'owner' && (await liveOwners(tx, clientId)) <= 1) {
      throw new MemberError('LAST_OWNER', 'the client must keep at least one owner');
    }
    const now = new Date();
    await tx.membership.update({ where: { id: m.id }, data: { deletedAt: now } });
    // Keys someone else may have held (see ApiKey.membershipId) end with the membership, for good:
    // a later invitation restores the membership, not them.
    await tx.apiKey.updateMany({ where: { membershipId: m.id, revokedAt: null }, data: { revokedAt: now } });
    return memberView(m);
  });
}

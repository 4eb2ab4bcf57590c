// Platform admins outside the API: the first one of a production install comes from the
// `npm run admin -- create` command (the API has no way to make one without being one).
import { Prisma, type Db } from '../db/client';
import { createApiKey } from './api-keys';
import { recordAudit } from './audit';
import { normalizeUserEmail } from './members';

export class PlatformAdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformAdminError';
  }
}

export interface CreatedPlatformAdmin {
  userId: string;
  email: string;
  /** new: the user was created; promoted: an existing user became an admin; existing: already was. */
  outcome: 'new' | 'promoted' | 'existing';
  /** Shown once; only its hash is stored. */
  key: string;
  keyId: string;
}

/**
 * Makes `email` a platform admin (creating the user if needed) and issues it a new API key. Running
 * it again for the same email issues another key, which is how a lost admin key is replaced.
 */
export async function createPlatformAdmin(db: Db, input: { email: string; name?: string | null }): Promise<CreatedPlatformAdmin> {
  const email = normalizeUserEmail(input.email);
  try {
    return await issue(db, email, input.name ?? null);
  } catch (err) {
    // Two runs creating the same new user at once: users_email_key lets one win.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new PlatformAdminError(`user ${email} was created by another run at the same time; run the command again`);
    }
    throw err;
  }
}

async function issue(db: Db, email: string, name: string | null): Promise<CreatedPlatformAdmin> {
  return db.$transaction(async (tx) => {
    // Locks the row (when there is one) so two runs for the same email see each other's outcome.
    const [before] = await tx.$queryRaw<{ id: string; isPlatformAdmin: boolean; deletedAt: Date | null }[]>`
      SELECT id, "isPlatformAdmin", "deletedAt" FROM users WHERE email = ${email} FOR UPDATE`;
    if (before?.deletedAt) throw new PlatformAdminError(`user ${email} is deleted; restore it before making it a platform admin`);
    const user = before
      ? await tx.user.update({ where: { id: before.id }, data: { isPlatformAdmin: true } })
      : await tx.user.create({ data: { email, name, isPlatformAdmin: true } });
    const outcome = !before ? 'new' : before.isPlatformAdmin ? 'existing' : 'promoted';
    const key = await createApiKey(tx as unknown as Db, { userId: user.id, name: 'platform admin (cli)' });
    await recordAudit(tx, {
      actorId: null,
      action: outcome === 'existing' ? 'platform_admin.key_issued' : 'platform_admin.created',
      entityType: 'user',
      entityId: user.id,
      before: before ? { isPlatformAdmin: before.isPlatformAdmin } : null,
      after: { isPlatformAdmin: true, keyId: key.id, via: 'cli' },
    });
    return { userId: user.id, email, outcome, key: key.key, keyId: key.id };
  });
}

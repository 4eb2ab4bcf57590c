// Clients, users with memberships and their API keys, for tenancy checks.
import type { Db, MembershipRole } from '../../../src/db/client';
import { createApiKey } from '../../../src/engines/api-keys';

let n = 0;

export async function newClient(db: Db, data: { name?: string; aiDailyBudgetUsd?: string; permissionMode?: 'autopilot' | 'copilot' | 'manual' } = {}) {
  n++;
  const slug = `client-${Date.now().toString(36)}-${n}`;
  return db.client.create({
    data: {
      name: data.name ?? `Client ${n}`,
      slug,
      ...(data.aiDailyBudgetUsd ? { aiDailyBudgetUsd: data.aiDailyBudgetUsd } : {}),
      ...(data.permissionMode ? { permissionMode: data.permissionMode } : {}),
    },
  });
}

/** A user with the given role on the client, and a bearer header for them. */
export async function userWithRole(db: Db, clientId: string, role: MembershipRole): Promise<{ userId: string; auth: { Authorization: string } }> {
  n++;
  const user = await db.user.create({ data: { email: `${role}-${n}-${Date.now().toString(36)}@test.example` } });
  await db.membership.create({ data: { clientId, userId: user.id, role, acceptedAt: new Date() } });
  const { key } = await createApiKey(db, { userId: user.id, name: role });
  return { userId: user.id, auth: { Authorization: `Bearer ${key}` } };
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  let last: T;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

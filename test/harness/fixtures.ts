// Domain fixtures for tests: a client with an owner and API key, send resources, leads.
import { randomBytes } from 'node:crypto';
import { Prisma, type ClientTier, type Db, type MembershipRole, type PermissionMode } from '../../src/db/client';
import { addCredits } from '../../src/engines/credits';
import { createApiKey } from '../../src/engines/api-keys';
import type { SendWindow } from '../../src/engines/calendar/business-time';
import { defaultCalendar } from './clock';

export async function createClientWithUser(
  db: Db,
  opts: {
    role?: MembershipRole;
    permissionMode?: PermissionMode;
    timeZone?: string;
    country?: string;
    state?: string | null;
    sendWindow?: SendWindow | null;
    tier?: ClientTier;
    /** Credits granted through the ledger (a top-up); 1000 unless given. */
    credits?: number;
  } = {},
) {
  const tag = randomBytes(4).toString('hex');
  // Unless the test pins its calendar, the run's moment (test/harness/clock.ts) decides it.
  const cal = defaultCalendar();
  const created = await db.client.create({
    data: {
      name: `Agency ${tag}`,
      slug: `agency-${tag}`,
      subscriptionStatus: 'active',
      // Every channel (src/engines/plans.ts), so sequence tests send all their touches.
      tier: opts.tier ?? 'dominance',
      permissionMode: opts.permissionMode ?? 'autopilot',
      timeZone: opts.timeZone ?? cal.timeZone,
      country: opts.country ?? cal.country,
      state: opts.state === undefined ? cal.state : opts.state,
      sendWindow: opts.sendWindow === undefined ? cal.sendWindow : (opts.sendWindow ?? Prisma.DbNull),
      senderName: 'Sam Sender',
      senderEmail: `sam@${tag}.agency.example`,
      postalAddress: '1 Test Street, Sydney NSW 2000',
    },
  });
  const credits = opts.credits ?? 1000;
  if (credits > 0) await addCredits(db, { clientId: created.id, kind: 'top_up', amount: credits, key: `top_up:${created.id}:fixture` });
  const client = credits > 0 ? await db.client.findUniqueOrThrow({ where: { id: created.id } }) : created;
  const user = await db.user.create({ data: { email: `owner-${tag}@test.example` } });
  await db.membership.create({ data: { clientId: client.id, userId: user.id, role: opts.role ?? 'owner', acceptedAt: new Date() } });
  const { key } = await createApiKey(db, { userId: user.id, name: 'test' });
  return { client, user, key, auth: { Authorization: `Bearer ${key}` } };
}

export async function addUser(db: Db, clientId: string, role: MembershipRole) {
  const user = await db.user.create({ data: { email: `${role}-${randomBytes(4).toString('hex')}@test.example` } });
  await db.membership.create({ data: { clientId, userId: user.id, role, acceptedAt: new Date() } });
  const { key } = await createApiKey(db, { userId: user.id, name: role });
  return { user, key, auth: { Authorization: `Bearer ${key}` } };
}

export async function addResources(db: Db, clientId: string, limits: Partial<Record<'email' | 'sms' | 'linkedin' | 'voice' | 'mail', number>> = {}) {
  const tag = randomBytes(3).toString('hex');
  await db.sendResource.createMany({
    data: [
      { clientId, channel: 'email', identifier: `mail-${tag}.agency.example`, dailyLimit: limits.email ?? 50 },
      { clientId, channel: 'sms', identifier: '+61255550111', dailyLimit: limits.sms ?? 100 },
      { clientId, channel: 'linkedin', identifier: `seat-${tag}`, dailyLimit: limits.linkedin ?? 17 },
      { clientId, channel: 'voice', identifier: '+61255550112', dailyLimit: limits.voice ?? 50 },
      { clientId, channel: 'mail', identifier: `return-${tag}`, dailyLimit: limits.mail ?? 200 },
    ],
  });
}

export async function createLead(db: Db, clientId: string, data: Partial<Prisma.LeadUncheckedCreateInput> = {}) {
  const tag = randomBytes(4).toString('hex');
  const cal = defaultCalendar();
  return db.lead.create({
    data: {
      clientId,
      email: `lead-${tag}@prospect.example`,
      firstName: 'Jordan',
      lastName: 'Lee',
      title: 'Head of Growth',
      phone: '+61412345678',
      linkedinUrl: `https://www.linkedin.com/in/jordan-${tag}`,
      companyName: 'Prospect Pty Ltd',
      companyIndustry: 'Hospitality',
      country: cal.country,
      state: cal.state,
      timeZone: cal.timeZone,
      status: 'scored',
      alsScore: 90,
      alsTier: 'hot',
      enrichment: { postalAddress: '2 Prospect Road, Sydney NSW 2000, Australia' },
      ...data,
    },
  });
}

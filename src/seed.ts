// First-run demo data: a demo client, its owner (also platform admin, so the operator endpoints
// work locally) and one API key, printed once. Later starts find the client and create nothing.
import type { Db } from './db/client';
import { createApiKey } from './engines/api-keys';
import { addCredits } from './engines/credits';

export const DEMO_CLIENT_SLUG = 'demo';

export async function seedDemo(db: Db): Promise<{ created: false } | { created: true; clientId: string; apiKey: string }> {
  const existing = await db.client.findUnique({ where: { slug: DEMO_CLIENT_SLUG } });
  if (existing) return { created: false };
  return db.$transaction(async (tx) => {
    const client = await tx.client.create({
      data: {
        name: 'Demo Agency Client',
        slug: DEMO_CLIENT_SLUG,
        subscriptionStatus: 'active',
        // Every channel, so the demo campaign runs all its touches.
        tier: 'dominance',
        permissionMode: 'autopilot',
        senderName: 'Demo Agency',
        senderEmail: 'hello@demo-agency.example',
        postalAddress: '1 Example Street, Sydney NSW 2000, Australia',
      },
    });
    const user = await tx.user.upsert({
      where: { email: 'operator@demo-agency.example' },
      create: { email: 'operator@demo-agency.example', name: 'Demo Operator', isPlatformAdmin: true },
      update: {},
    });
    await tx.membership.create({ data: { clientId: client.id, userId: user.id, role: 'owner', acceptedAt: new Date() } });
    // Demo credits, through the ledger like any other balance.
    await addCredits(tx, { clientId: client.id, kind: 'top_up', amount: 1000, key: `top_up:${client.id}:demo`, note: 'demo credits' });
    // One sending resource per channel, so a demo campaign runs end to end on the sandbox drivers.
    await tx.sendResource.createMany({
      data: [
        { clientId: client.id, channel: 'email', identifier: 'demo-agency.example', dailyLimit: 50 },
        { clientId: client.id, channel: 'sms', identifier: '+61255550100', dailyLimit: 100 },
        { clientId: client.id, channel: 'linkedin', identifier: 'demo-linkedin-seat', dailyLimit: 17 },
        { clientId: client.id, channel: 'voice', identifier: '+61255550101', dailyLimit: 50 },
        { clientId: client.id, channel: 'mail', identifier: 'demo-return-address', dailyLimit: 200 },
      ],
    });
    // A starting set of context documents, so a skill run for the demo client has a brand to write for.
    await tx.clientContextDocument.createMany({
      data: [
        {
          clientId: client.id,
          path: 'profile.md',
          title: 'Profile',
          content: '# Demo Agency Client\n\nA Sydney-based bookkeeping firm for trades businesses (electricians, plumbers, builders) with 5-50 staff.',
        },
        {
          clientId: client.id,
          path: 'brand/voice.md',
          title: 'Brand voice',
          content: '# Voice\n\nPlain, practical, friendly. Short sentences. Australian English. No jargon, no hype.',
        },
        {
          clientId: client.id,
          path: 'audience/primary-icp.md',
          title: 'Primary ICP',
          content: '# Primary ICP\n\nOwners of trades businesses who do their own books at night and are behind on BAS lodgements.',
        },
      ],
    });
    const key = await createApiKey(tx as unknown as Db, { userId: user.id, name: 'demo key' });
    return { created: true as const, clientId: client.id, apiKey: key.key };
  });
}

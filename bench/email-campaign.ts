// The campaign the wall-clock durability scripts (outage, chaos) run: one client whose send window
// is always open, in a zone without public holidays, so the first touch is due at once whenever the
// script runs; N leads; a two-email sequence whose second touch is days away (sequences stay
// running afterwards). Started as the API starts a campaign.
import { randomUUID } from 'node:crypto';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Db } from '../src/db/client';
import { addLeadsToCampaign, createCampaign } from '../src/engines/campaigns';
import { notifyLeadsAdded, startCampaignWorkflow, transitionCampaign } from '../src/lifecycle/campaigns';
import { addCredits } from '../src/engines/credits';

const ALWAYS_OPEN = { startHour: 0, endHour: 24, days: [0, 1, 2, 3, 4, 5, 6] };
const SEQUENCE = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 3, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};

export async function startEmailCampaign(db: Db, temporal: TemporalClient, taskQueue: string, a: { name: string; leads: number }) {
  const slug = a.name.toLowerCase();
  const c = await db.client.create({
    data: {
      name: a.name,
      slug: `${slug}-${randomUUID()}`,
      sendWindow: ALWAYS_OPEN,
      subscriptionStatus: 'active',
      tier: 'dominance',
      permissionMode: 'autopilot',
      timeZone: 'UTC',
      country: 'ZZ',
      senderName: 'Sam',
      senderEmail: `sam@${slug}.example`,
      postalAddress: `1 ${a.name} St`,
    },
  });
  // Credits come through the ledger (src/engines/credits.ts), as in the product.
  await addCredits(db, { clientId: c.id, kind: 'top_up', amount: 1_000_000, key: `top_up:${c.id}:bench` });
  await db.sendResource.create({ data: { clientId: c.id, channel: 'email', identifier: `${slug}.example`, dailyLimit: 1_000_000 } });
  const leads = await db.lead.createManyAndReturn({
    data: Array.from({ length: a.leads }, (_, i) => ({
      clientId: c.id,
      email: `lead${i}@prospect.example`,
      firstName: 'Lee',
      companyName: 'Prospect',
      timeZone: 'UTC',
      country: 'ZZ',
      status: 'scored' as const,
      alsTier: 'cold' as const,
      alsScore: 25,
    })),
    select: { id: true, email: true },
  });
  const campaign = await createCampaign(db, { clientId: c.id, name: slug, sequence: SEQUENCE });
  await startCampaignWorkflow(temporal, taskQueue, { clientId: c.id, id: campaign.id });
  await addLeadsToCampaign(db, { clientId: c.id, campaignId: campaign.id, leadIds: leads.map((l) => l.id) });
  await notifyLeadsAdded(temporal, campaign.id, a.leads);
  await transitionCampaign(temporal, campaign.id, 'start');
  return { client: c, campaign, leads };
}

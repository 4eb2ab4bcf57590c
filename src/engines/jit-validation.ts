// Just-in-time validation before every outreach touch (DESIGN.md): client subscription and
// credits, campaign state, lead state, suppression, DNCR for Australian numbers. A failed check
// waits, skips the touch or stops the sequence; it never sends.
import type { Channel, Client, Campaign, Db, Lead } from '../db/client';
import type { DncrDriver } from '../integrations/dncr/dncr';
import { findSuppression } from './compliance/suppression';
import { isAustralianNumber, washNumber } from './compliance/dncr-wash';

export type JitOutcome =
  | { action: 'proceed'; client: Client; campaign: Campaign; lead: Lead; evidence: ComplianceEvidence }
  | { action: 'wait'; reason: 'campaign_paused' | 'subscription_inactive' | 'no_credits'; recheckAfterMs: number }
  | { action: 'skip'; reason: string; evidence?: ComplianceEvidence }
  | { action: 'stop'; reason: 'campaign_cancelled' | 'campaign_completed' | 'lead_removed' | 'bounce' | 'unsubscribe' | 'converted' | 'suppressed' | 'not_interested' | 'client_removed' };

/** Stored with each touch so an auditor can see what was checked and when. */
export interface ComplianceEvidence {
  suppressionCheckedAt: string;
  dncrWashedAt?: string;
  dncrRegistered?: boolean;
}

// A paused campaign wakes its sequences with a signal on resume; the daily re-check is only a safety
// net, and keeps a long pause from filling the sequence's history with hourly timers.
const PAUSED_RECHECK_MS = 24 * 60 * 60 * 1000;
const RECHECK_MS = 6 * 60 * 60 * 1000;

const STOPPING_LEAD_STATUS: Partial<Record<Lead['status'], Extract<JitOutcome, { action: 'stop' }>['reason']>> = {
  bounced: 'bounce',
  unsubscribed: 'unsubscribe',
  converted: 'converted',
  suppressed: 'suppressed',
  not_interested: 'not_interested',
};

export async function validateTouch(
  db: Db,
  dncr: DncrDriver,
  t: { clientId: string; campaignId: string; leadId: string; channel: Channel; now: Date },
): Promise<JitOutcome> {
  const [client, campaign, lead] = await Promise.all([
    db.client.findUnique({ where: { id: t.clientId } }),
    db.campaign.findUnique({ where: { id: t.campaignId } }),
    db.lead.findUnique({ where: { id: t.leadId } }),
  ]);
  if (!client || client.deletedAt) return { action: 'stop', reason: 'client_removed' };
  if (!campaign || campaign.deletedAt || campaign.status === 'cancelled') return { action: 'stop', reason: 'campaign_cancelled' };
  if (campaign.status === 'completed') return { action: 'stop', reason: 'campaign_completed' };
  if (!lead || lead.deletedAt) return { action: 'stop', reason: 'lead_removed' };
  const leadStop = STOPPING_LEAD_STATUS[lead.status];
  if (leadStop) return { action: 'stop', reason: leadStop };
  if (campaign.status !== 'active') return { action: 'wait', reason: 'campaign_paused', recheckAfterMs: PAUSED_RECHECK_MS };
  if (client.subscriptionStatus !== 'active' && client.subscriptionStatus !== 'trialing') {
    return { action: 'wait', reason: 'subscription_inactive', recheckAfterMs: RECHECK_MS };
  }
  if (client.creditsRemaining <= 0) return { action: 'wait', reason: 'no_credits', recheckAfterMs: RECHECK_MS };

  const address = addressFor(lead, t.channel);
  if (!address) return { action: 'skip', reason: `no_${t.channel === 'email' ? 'email' : t.channel === 'linkedin' ? 'linkedin_url' : t.channel === 'mail' ? 'postal_address' : 'phone'}` };

  const evidence: ComplianceEvidence = { suppressionCheckedAt: t.now.toISOString() };
  const hit = await findSuppression(db, t.clientId, {
    email: t.channel === 'email' ? lead.email : null,
    phone: t.channel === 'sms' || t.channel === 'voice' ? lead.phone : null,
  });
  if (hit) return { action: 'skip', reason: `suppressed_${hit.kind}`, evidence };

  if ((t.channel === 'voice' || t.channel === 'sms') && lead.phone && isAustralianNumber(lead.phone)) {
    const wash = await washNumber(db, dncr, lead.phone, t.now);
    evidence.dncrWashedAt = wash.washedAt.toISOString();
    evidence.dncrRegistered = wash.registered;
    if (wash.registered) return { action: 'skip', reason: 'dncr_registered', evidence };
  }
  return { action: 'proceed', client, campaign, lead, evidence };
}

function addressFor(lead: Lead, channel: Channel): string | null {
  switch (channel) {
    case 'email':
      return lead.email;
    case 'sms':
    case 'voice':
      return lead.phone;
    case 'linkedin':
      return lead.linkedinUrl;
    case 'mail': {
      const enrichment = (lead.enrichment ?? {}) as { postalAddress?: string };
      return enrichment.postalAddress ?? null;
    }
  }
}

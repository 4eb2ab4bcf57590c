// Just-in-time validation before every outreach touch (DESIGN.md): client subscription and
// credits, campaign state, lead state, suppression, DNCR for Australian numbers. A failed check
// waits, skips the touch or stops the sequence; it never sends.
// The touch path is the hottest loop of the product, so its reads are merged: one statement reads
// the client, campaign, lead, the channel's send resources (with their recent counters) and the
// thread of a follow-up; a second reads the suppression list and the DNCR wash together.
import { Prisma, type Campaign, type Channel, type Client, type Db, type Lead, type SendResource } from '../db/client';
import type { DncrDriver } from '../integrations/dncr/dncr';
import { emailDomain, GLOBAL_SCOPE, normalizeEmail, normalizePhone, type SuppressionHit } from './compliance/suppression';
import { isAustralianNumber, washNumber, type KnownWash } from './compliance/dncr-wash';
import { planAllowsChannel, priceOf } from './plans';

/** Keys of T whose values are plain JSON (jsonb_build_object cannot return Date or Decimal as such). */
type JsonKeys<T> = { [K in keyof T]-?: Exclude<T[K], null> extends Date | Prisma.Decimal ? never : K }[keyof T];

const CLIENT_FIELDS = [
  'id',
  'name',
  'tier',
  'subscriptionStatus',
  'creditsRemaining',
  'timeZone',
  'country',
  'state',
  'sendWindow',
  'senderName',
  'senderEmail',
  'postalAddress',
] as const satisfies readonly JsonKeys<Client>[];
const CAMPAIGN_FIELDS = ['id', 'status', 'templateId', 'aiPersonalisation'] as const satisfies readonly JsonKeys<Campaign>[];
const LEAD_FIELDS = [
  'id',
  'clientId',
  'email',
  'firstName',
  'lastName',
  'title',
  'phone',
  'linkedinUrl',
  'companyName',
  'companyIndustry',
  'country',
  'state',
  'city',
  'timeZone',
  'status',
  'enrichment',
  'addressLine1',
  'addressLine2',
  'addressCity',
  'addressState',
  'addressPostalCode',
  'addressCountry',
] as const satisfies readonly JsonKeys<Lead>[];
const RESOURCE_FIELDS = ['id', 'channel', 'identifier', 'dailyLimit', 'active'] as const satisfies readonly JsonKeys<SendResource>[];

/** The columns of each row the touch path uses; `deleted` stands for `deletedAt IS NOT NULL`. */
export type TouchClient = Pick<Client, (typeof CLIENT_FIELDS)[number]> & { deleted: boolean };
export type TouchCampaign = Pick<Campaign, (typeof CAMPAIGN_FIELDS)[number]> & { deleted: boolean };
export type TouchLead = Pick<Lead, (typeof LEAD_FIELDS)[number]> & { deleted: boolean };
/** An active, undeleted resource and its counts by local day (YYYY-MM-DD), from yesterday to tomorrow UTC. */
export type TouchResource = Pick<SendResource, (typeof RESOURCE_FIELDS)[number]> & { counts: Record<string, number> };
/** The first message of a thread a follow-up replies to (its ledger row and sent subject). */
export interface TouchThread {
  state: string;
  threadId: string | null;
  subject: string | null;
}

// Static column lists (never user input), built once.
const jsonObject = (alias: string, fields: readonly string[]) =>
  Prisma.raw(`jsonb_build_object(${fields.map((f) => `'${f}', ${alias}."${f}"`).join(', ')}, 'deleted', ${alias}."deletedAt" IS NOT NULL)`);
const CLIENT_JSON = jsonObject('c', CLIENT_FIELDS);
const CAMPAIGN_JSON = jsonObject('x', CAMPAIGN_FIELDS);
const LEAD_JSON = jsonObject('l', LEAD_FIELDS);
const RESOURCE_JSON = Prisma.raw(`jsonb_build_object(${RESOURCE_FIELDS.map((f) => `'${f}', r."${f}"`).join(', ')}`);

const DAY_MS = 86_400_000;
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * The suppression and DNCR rows of the lead's contact details as stored, with the keys looked up
 * (`email`, `domain`, `phone`): they stand for the check only when they equal the normalized keys
 * (leads are stored normalized; anything else is looked up again, normalized).
 */
interface StoredContactRows {
  email: string | null;
  domain: string | null;
  phone: string | null;
  hit: SuppressionHit | null;
  wash: { registered: boolean; washedAt: string } | null;
}

export interface TouchRows {
  client: TouchClient | null;
  campaign: TouchCampaign | null;
  lead: TouchLead | null;
  resources: TouchResource[];
  thread: TouchThread | null;
  contact?: StoredContactRows | null;
}

/**
 * One round trip for everything a touch reads before its checks. Counters cover the UTC day before
 * and after `now`: every zone's local day is among them.
 */
export async function loadTouchRows(
  db: Pick<Db, '$queryRaw'>,
  t: { clientId: string; campaignId?: string; leadId: string; channel?: Channel; now: Date; threadKey?: string },
): Promise<TouchRows> {
  const rows = await db.$queryRaw<TouchRows[]>`
    SELECT
      (SELECT ${CLIENT_JSON} FROM clients c WHERE c.id = ${t.clientId}) AS client,
      (SELECT ${CAMPAIGN_JSON} FROM campaigns x WHERE x.id = ${t.campaignId ?? null}::text) AS campaign,
      (SELECT ${LEAD_JSON} FROM leads l WHERE l.id = ${t.leadId}) AS lead,
      (SELECT coalesce(jsonb_agg(${RESOURCE_JSON}, 'counts', (
          SELECT coalesce(jsonb_object_agg(to_char(k.day, 'YYYY-MM-DD'), k.count), '{}'::jsonb) FROM send_resource_counters k
          WHERE k."resourceId" = r.id AND k.day BETWEEN ${utcDay(t.now.getTime() - DAY_MS)}::date AND ${utcDay(t.now.getTime() + DAY_MS)}::date))), '[]'::jsonb)
        FROM send_resources r
        WHERE r."clientId" = ${t.clientId} AND r.channel::text = ${t.channel ?? null}::text AND r.active AND r."deletedAt" IS NULL) AS resources,
      (SELECT jsonb_build_object('state', s.state, 'threadId', s."threadId", 'subject', (
          SELECT a.metadata->>'subject' FROM activities a
          WHERE a."leadId" = s."leadId" AND a."providerMessageId" IS NOT DISTINCT FROM s."providerMessageId" AND a.action = 'sent' LIMIT 1))
        FROM send_ledger s WHERE s."idempotencyKey" = ${t.threadKey ?? null}::text) AS thread,
      (SELECT jsonb_build_object('email', k.email, 'domain', k.domain, 'phone', k.phone,
          'hit', (SELECT jsonb_build_object('kind', s.kind, 'value', s.value, 'scope', s.scope, 'reason', s.reason) FROM suppressions s
            WHERE s."deletedAt" IS NULL AND s.scope IN (${GLOBAL_SCOPE}, ${t.clientId})
              AND ((s.kind = 'email' AND s.value = k.email) OR (s.kind = 'domain' AND s.value = k.domain) OR (s.kind = 'phone' AND s.value = k.phone))
            ORDER BY s."createdAt" ASC LIMIT 1),
          'wash', (SELECT jsonb_build_object('registered', w.registered, 'washedAt', w."washedAt") FROM dncr_washes w WHERE w.phone = k.phone))
        FROM (SELECT CASE WHEN ${t.channel ?? null}::text = 'email' THEN l.email END AS email,
                     CASE WHEN ${t.channel ?? null}::text = 'email' THEN substring(l.email from '@([^@]*)$') END AS domain,
                     CASE WHEN ${t.channel ?? null}::text IN ('sms', 'voice') THEN l.phone END AS phone
              FROM leads l WHERE l.id = ${t.leadId}) k) AS contact`;
  const row = rows[0];
  return { client: row.client, campaign: row.campaign, lead: row.lead, resources: row.resources ?? [], thread: row.thread, contact: row.contact };
}

/** The stored-keys lookup, when its keys are exactly the normalized ones findSuppression would use. */
function storedContactCheck(c: StoredContactRows | null | undefined, contact: { email: string | null; phone: string | null }) {
  if (!c) return null;
  const email = contact.email ? normalizeEmail(contact.email) : null;
  const domain = contact.email ? emailDomain(contact.email) : null;
  const phone = contact.phone ? normalizePhone(contact.phone) : null;
  if (c.email !== email || c.domain !== domain || c.phone !== phone) return null;
  // The wash row as washNumber reads it (`washedAt` is UTC wall time in jsonb).
  const wash: KnownWash = c.wash ? { registered: c.wash.registered, washedAt: new Date(`${c.wash.washedAt}Z`) } : null;
  return { hit: c.hit, wash };
}

/** The skip reason (with `:<channel>`) of a touch on a channel the client's plan does not include. */
export const CHANNEL_NOT_IN_PLAN = 'channel_not_in_plan';

export type JitOutcome =
  | {
      action: 'proceed';
      client: TouchClient;
      campaign: TouchCampaign;
      lead: TouchLead;
      resources: TouchResource[];
      thread: TouchThread | null;
      evidence: ComplianceEvidence;
    }
  | { action: 'wait'; reason: 'campaign_paused' | 'subscription_inactive' | 'no_credits'; recheckAfterMs: number }
  | { action: 'skip'; reason: string; evidence?: ComplianceEvidence }
  | {
      action: 'stop';
      reason:
        | 'campaign_cancelled'
        | 'campaign_completed'
        | 'lead_removed'
        | 'reply'
        | 'bounce'
        | 'unsubscribe'
        | 'converted'
        | 'suppressed'
        | 'not_interested'
        | 'client_removed';
    };

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
/** How long a touch waits on no_credits before it checks again (a top-up also wakes it at once). */
export const NO_CREDITS_RECHECK_MS = RECHECK_MS;

// A lead who replied (any human reply, including "yes, call me") or booked a meeting (converted)
// never gets another automated touch, whether or not the stop signal reached the sequence.
const STOPPING_LEAD_STATUS: Partial<Record<Lead['status'], Extract<JitOutcome, { action: 'stop' }>['reason']>> = {
  replied: 'reply',
  bounced: 'bounce',
  unsubscribed: 'unsubscribe',
  converted: 'converted',
  suppressed: 'suppressed',
  not_interested: 'not_interested',
};

/**
 * The first suppression that applies (as findSuppression) and the number's DNCR wash, in one
 * statement; the wash is only read when `washPhone` is given.
 */
async function complianceRows(
  db: Pick<Db, '$queryRaw'>,
  clientId: string,
  contact: { email: string | null; phone: string | null },
  washPhone: string | null,
): Promise<{ hit: SuppressionHit | null; wash: KnownWash }> {
  const email = contact.email ? normalizeEmail(contact.email) : null;
  const domain = contact.email ? emailDomain(contact.email) : null;
  const phone = contact.phone ? normalizePhone(contact.phone) : null;
  const rows = await db.$queryRaw<{ hit: SuppressionHit | null; registered: boolean | null; washedAt: Date | null }[]>`
    SELECT
      (SELECT jsonb_build_object('kind', s.kind, 'value', s.value, 'scope', s.scope, 'reason', s.reason) FROM suppressions s
       WHERE s."deletedAt" IS NULL AND s.scope IN (${GLOBAL_SCOPE}, ${clientId})
         AND ((s.kind = 'email' AND s.value = ${email}::text) OR (s.kind = 'domain' AND s.value = ${domain}::text) OR (s.kind = 'phone' AND s.value = ${phone}::text))
       ORDER BY s."createdAt" ASC LIMIT 1) AS hit,
      w.registered, w."washedAt"
    FROM (SELECT 1) one LEFT JOIN dncr_washes w ON w.phone = ${washPhone}::text`;
  const row = rows[0];
  return { hit: row.hit, wash: washPhone === null ? undefined : row.washedAt ? { registered: Boolean(row.registered), washedAt: row.washedAt } : null };
}

export async function validateTouch(
  db: Db,
  dncr: DncrDriver,
  t: { clientId: string; campaignId: string; leadId: string; channel: Channel; now: Date; threadKey?: string },
): Promise<JitOutcome> {
  const { client, campaign, lead, resources, thread, contact: stored } = await loadTouchRows(db, t);
  if (!client || client.deleted) return { action: 'stop', reason: 'client_removed' };
  if (!campaign || campaign.deleted || campaign.status === 'cancelled') return { action: 'stop', reason: 'campaign_cancelled' };
  if (campaign.status === 'completed') return { action: 'stop', reason: 'campaign_completed' };
  if (!lead || lead.deleted) return { action: 'stop', reason: 'lead_removed' };
  const leadStop = STOPPING_LEAD_STATUS[lead.status];
  if (leadStop) return { action: 'stop', reason: leadStop };
  if (campaign.status !== 'active') return { action: 'wait', reason: 'campaign_paused', recheckAfterMs: PAUSED_RECHECK_MS };
  if (client.subscriptionStatus !== 'active' && client.subscriptionStatus !== 'trialing') {
    return { action: 'wait', reason: 'subscription_inactive', recheckAfterMs: RECHECK_MS };
  }
  // The plan decides the channels and what a touch costs (src/engines/plans.ts).
  if (!planAllowsChannel(client.tier, t.channel)) return { action: 'skip', reason: `${CHANNEL_NOT_IN_PLAN}:${t.channel}` };
  if (client.creditsRemaining < priceOf(client.tier, t.channel)) return { action: 'wait', reason: 'no_credits', recheckAfterMs: NO_CREDITS_RECHECK_MS };

  const address = addressFor(lead, t.channel);
  if (!address)
    return {
      action: 'skip',
      reason: `no_${t.channel === 'email' ? 'email' : t.channel === 'linkedin' ? 'linkedin_url' : t.channel === 'mail' ? 'postal_address' : 'phone'}`,
    };

  const evidence: ComplianceEvidence = { suppressionCheckedAt: t.now.toISOString() };
  const contact = {
    email: t.channel === 'email' ? lead.email : null,
    phone: t.channel === 'sms' || t.channel === 'voice' ? lead.phone : null,
  };
  const washPhone = (t.channel === 'voice' || t.channel === 'sms') && lead.phone && isAustralianNumber(lead.phone) ? lead.phone : null;
  if (contact.email || contact.phone) {
    // Usually answered by the first read already; read again with normalized keys otherwise.
    const { hit, wash: known } = storedContactCheck(stored, contact) ?? (await complianceRows(db, t.clientId, contact, washPhone && normalizePhone(washPhone)));
    if (hit) return { action: 'skip', reason: `suppressed_${hit.kind}`, evidence };
    if (washPhone) {
      const wash = await washNumber(db, dncr, washPhone, t.now, known);
      evidence.dncrWashedAt = wash.washedAt.toISOString();
      evidence.dncrRegistered = wash.registered;
      if (wash.registered) return { action: 'skip', reason: 'dncr_registered', evidence };
    }
  }
  return { action: 'proceed', client, campaign, lead, resources, thread, evidence };
}

function addressFor(lead: TouchLead, channel: Channel): string | null {
  switch (channel) {
    case 'email':
      return lead.email;
    case 'sms':
    case 'voice':
      return lead.phone;
    case 'linkedin':
      return lead.linkedinUrl;
    case 'mail': {
      // The structured address (import, PATCH, enrichment); else the free text older rows hold.
      if (lead.addressLine1 && lead.addressCity && lead.addressCountry) return lead.addressLine1;
      const enrichment = (lead.enrichment ?? {}) as { postalAddress?: string };
      return enrichment.postalAddress ?? null;
    }
  }
}

// Which lead an event is about. Strongest evidence first: our own send (ledger by provider message
// id, email thread id or idempotency key), then ids we put in provider metadata or a signed token,
// then the sender's contact details, but only among tenants that have actually sent to that lead.
// No match yet is normal for events that arrive before the send is recorded: the row waits.
import type { Channel, Db, SendLedger } from '../../db/client';
import { normalizeLinkedInUrl } from '../../integrations/heyreach/webhook-schema';
import { normalizeEmail, normalizePhone } from '../compliance/suppression';
import { phoneSpellings } from '../compliance/phone';
import type { MatchHints } from './events';

export interface LeadMatch {
  clientId: string;
  leadId: string;
  /** The campaign of the send the event is about (or the lead's latest send). */
  campaignId: string | null;
  via: 'ledger' | 'thread' | 'idempotency_key' | 'named' | 'contact';
  /** The lead's country and zone when the match read them anyway (they set how a reply is read). */
  lead?: { country: string | null; timeZone: string | null };
  /** The lead's open enrolments (active, paused, pending), when the match read them too, and when. */
  enrollments?: KnownEnrollments;
}

export interface KnownEnrollments {
  rows: { campaignId: string; status: 'active' | 'paused' | 'pending' }[];
  readAt: number;
}

type MatchDb = Pick<Db, 'sendLedger' | 'lead' | 'sendResource' | '$queryRaw'>;

const SENT_STATES = ['sending', 'sent'] as const;

function fromLedger(row: Pick<SendLedger, 'clientId' | 'leadId' | 'campaignId'>, via: LeadMatch['via']): LeadMatch {
  return { clientId: row.clientId, leadId: row.leadId, campaignId: row.campaignId, via };
}

/** `+61412345678`, `0412345678`, and the value as given: the spellings a lead's phone may be stored in. */
export function phoneVariants(phone: string): string[] {
  return phoneSpellings(phone);
}

async function latestSend(db: MatchDb, leadIds: string[], channel?: Channel) {
  if (leadIds.length === 0) return null;
  return db.sendLedger.findFirst({
    where: { leadId: { in: leadIds }, state: { in: [...SENT_STATES] }, ...(channel ? { channel } : {}) },
    orderBy: { reservedAt: 'desc' },
  });
}

/** Among candidate leads, the one a tenant most recently sent to (on this channel first, then any). */
async function pickSentTo(db: MatchDb, leads: { id: string; clientId: string }[], channel: Channel, ourAddress?: string): Promise<LeadMatch | null> {
  let candidates = leads;
  if (ourAddress && channel === 'sms') {
    // Our number names the tenant: keep only the leads of clients that own it, if any do.
    const owners = await db.sendResource.findMany({
      where: { channel: 'sms', identifier: { in: phoneVariants(ourAddress) }, deletedAt: null },
      select: { clientId: true },
    });
    const clientIds = new Set(owners.map((o) => o.clientId));
    const owned = candidates.filter((l) => clientIds.has(l.clientId));
    if (owned.length > 0) candidates = owned;
  }
  const ids = candidates.map((l) => l.id);
  const send = (await latestSend(db, ids, channel)) ?? (await latestSend(db, ids));
  return send ? fromLedger(send, 'contact') : null;
}

export async function matchLead(db: MatchDb, channel: Channel, hints: MatchHints): Promise<LeadMatch | null> {
  if (hints.idempotencyKey) {
    const row = await db.sendLedger.findUnique({ where: { idempotencyKey: hints.idempotencyKey } });
    if (row) return fromLedger(row, 'idempotency_key');
  }
  const messageIds = (hints.messageIds ?? []).filter((id) => id.length > 0);
  // The ledger keeps Message-IDs with their angle brackets; headers are parsed without them.
  const threadIds = (hints.threadIds ?? []).filter((id) => id.length > 0).flatMap((id) => [id, `<${id}>`]);
  if (messageIds.length > 0 || threadIds.length > 0) {
    // One round trip for the send and the lead's locale: this sits on the path to the stop signal.
    // The lead's open enrolments come along: a stop signal needs them next.
    const rows = await db.$queryRaw<
      {
        clientId: string;
        leadId: string;
        campaignId: string;
        providerMessageId: string | null;
        country: string | null;
        timeZone: string | null;
        enrollments: KnownEnrollments['rows'];
      }[]
    >`
      SELECT s."clientId", s."leadId", s."campaignId", s."providerMessageId", l.country, l."timeZone",
        (SELECT coalesce(jsonb_agg(jsonb_build_object('campaignId', e."campaignId", 'status', e.status)), '[]'::jsonb)
         FROM campaign_enrollments e WHERE e."leadId" = s."leadId" AND e.status IN ('active', 'paused', 'pending')) AS enrollments
      FROM send_ledger s JOIN leads l ON l.id = s."leadId"
      WHERE s."providerMessageId" = ANY(${messageIds}::text[]) OR s."threadId" = ANY(${threadIds}::text[])
      ORDER BY s."reservedAt" DESC
      LIMIT 1`;
    const row = rows[0];
    if (row) {
      const via = row.providerMessageId && messageIds.includes(row.providerMessageId) ? 'ledger' : 'thread';
      return { ...fromLedger(row, via), lead: { country: row.country, timeZone: row.timeZone }, enrollments: { rows: row.enrollments, readAt: Date.now() } };
    }
  }

  const named = hints.named;
  if (named?.leadId) {
    const lead = await db.lead.findFirst({ where: { id: named.leadId, ...(named.clientId ? { clientId: named.clientId } : {}), deletedAt: null } });
    // Metadata comes back from the provider: believe it only if it names the lead the event is about.
    const sameContact =
      hints.namedIsSigned ||
      (hints.email !== undefined && lead?.email != null && normalizeEmail(lead.email) === normalizeEmail(hints.email)) ||
      (hints.phone !== undefined && lead?.phone != null && normalizePhone(lead.phone) === normalizePhone(hints.phone));
    if (lead && sameContact) {
      const send = await latestSend(db, [lead.id]);
      return { clientId: lead.clientId, leadId: lead.id, campaignId: send?.campaignId ?? null, via: 'named' };
    }
  }

  if (hints.email) {
    // Leads are stored with normalized emails, so the exact lookup (leads_email_idx) finds them; the
    // case-insensitive scan is only for rows written otherwise, when the exact lookup finds no send.
    const exact = await db.lead.findMany({
      where: { email: normalizeEmail(hints.email), deletedAt: null },
      select: { id: true, clientId: true },
      take: 50,
    });
    const m = exact.length > 0 ? await pickSentTo(db, exact, channel, hints.ourAddress) : null;
    if (m) return m;
    const leads = await db.lead.findMany({
      where: { email: { equals: normalizeEmail(hints.email), mode: 'insensitive' }, deletedAt: null },
      select: { id: true, clientId: true },
      take: 50,
    });
    const tried = new Set(exact.map((l) => l.id));
    if (leads.some((l) => !tried.has(l.id))) {
      const m2 = await pickSentTo(db, leads, channel, hints.ourAddress);
      if (m2) return m2;
    }
  }
  if (hints.phone) {
    const leads = await db.lead.findMany({
      where: { phone: { in: phoneVariants(hints.phone) }, deletedAt: null },
      select: { id: true, clientId: true },
      take: 50,
    });
    const m = await pickSentTo(db, leads, channel, hints.ourAddress);
    if (m) return m;
  }
  if (hints.linkedinUrl) {
    const wanted = normalizeLinkedInUrl(hints.linkedinUrl);
    const slug = wanted.replace(/^https:\/\/www\.linkedin\.com/, '');
    const leads = await db.lead.findMany({
      where: { linkedinUrl: { contains: slug.length > 1 ? slug : wanted, mode: 'insensitive' }, deletedAt: null },
      select: { id: true, clientId: true, linkedinUrl: true },
      take: 50,
    });
    const same = leads.filter((l) => l.linkedinUrl && normalizeLinkedInUrl(l.linkedinUrl) === wanted);
    const m = await pickSentTo(db, same, channel);
    if (m) return m;
  }
  return null;
}

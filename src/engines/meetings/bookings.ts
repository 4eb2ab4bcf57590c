// Processing one booking webhook's inbox row (Cal.com, Calendly), safe to run any number of times
// and concurrently, like a reply's (src/engines/replies/process.ts):
//   1. read the row, find the lead: the meeting the booking already is, else the attendee's email
//      (among tenants, the one that has sent to that lead; else the only lead with that email);
//   2. in a transaction holding the row's lock (SKIP LOCKED), apply the meeting change, its event
//      and the lead's move unless an earlier attempt did (the row's leadId is set in that same
//      transaction; the Activity row keeps the signal plan for a retry);
//   3. a booking stops the lead's sequences (reason meeting_booked); then the row is processed.
import type { Db, Meeting, Prisma, WebhookEvent } from '../../db/client';
import { parseBookingWebhook, type BookingEvent, type SchedulingProvider, SCHEDULING_PROVIDERS } from '../../integrations/scheduling';
import { normalizeEmail } from '../compliance/suppression';
import { lockForProcessing, markAttempt, markIgnored, markProcessed, MAX_INBOX_ATTEMPTS } from '../inbox/store';
import { moveLead, storedPlan, type EffectPlan } from '../replies/effects';
import { matchLead } from '../replies/match';
import type { SequenceControl } from '../replies/sequence-control';
import { changeMeeting, createMeeting, OPEN_MEETING_STATUSES, type MeetingStatus } from '.';

export const isSchedulingProvider = (p: string): p is SchedulingProvider => (SCHEDULING_PROVIDERS as readonly string[]).includes(p);

export interface BookingProcessingDeps {
  db: Db;
  sequences: Pick<SequenceControl, 'stop'>;
  maxAttempts?: number;
}

export type BookingOutcome = 'processed' | 'ignored' | 'pending' | 'failed' | 'busy' | 'missing';

type Booking = Exclude<BookingEvent, { kind: 'ignore' }>;
type Tx = Prisma.TransactionClient;

const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };
const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 400);

/** The stop signal's event id for a booking row: one id however often the row is processed. */
export const bookingSignalEventId = (rowId: string) => `booking:${rowId}`;

/** The booking's existing meeting: by its id at the tool, or (a reschedule) the one it replaces. */
async function existingMeeting(db: Pick<Db, 'meeting'>, b: Booking): Promise<Meeting | null> {
  const ids = [b.externalId, ...(b.previousExternalId ? [b.previousExternalId] : [])];
  return db.meeting.findFirst({ where: { source: b.source, externalId: { in: ids } }, orderBy: { createdAt: 'desc' } });
}

async function findLead(db: Db, b: Booking): Promise<{ clientId: string; leadId: string; campaignId: string | null } | null> {
  const known = await existingMeeting(db, b);
  if (known) return { clientId: known.clientId, leadId: known.leadId, campaignId: known.campaignId };
  for (const email of b.attendeeEmails) {
    const m = await matchLead(db, 'email', { email });
    if (m) return { clientId: m.clientId, leadId: m.leadId, campaignId: m.campaignId };
    // Nobody has sent to this address: a lead booked straight from the client's site is still theirs
    // when exactly one client has that lead.
    const leads = await db.lead.findMany({ where: { email: normalizeEmail(email), deletedAt: null }, select: { id: true, clientId: true }, take: 2 });
    if (leads.length === 1) return { clientId: leads[0].clientId, leadId: leads[0].id, campaignId: null };
  }
  return null;
}

const details = (b: Booking) => ({
  externalId: b.externalId,
  title: b.title ?? null,
  startsAt: b.startsAt ?? null,
  endsAt: b.endsAt ?? null,
  attendeeEmail: b.attendeeEmails[0] ?? null,
  location: b.location ?? null,
});

/** The booking's change to the lead's meetings; returns the meeting (if any) and the signal plan. */
async function applyBooking(
  tx: Tx,
  b: Booking,
  lead: { clientId: string; leadId: string; campaignId: string | null },
): Promise<{ meeting: Meeting | null; plan: EffectPlan; changed: boolean }> {
  const existing = await existingMeeting(tx, b);
  const book = async (status: MeetingStatus) => {
    // A meeting the reply engine proposed (or a person entered) is the one this booking confirms.
    const open = existing ?? (await tx.meeting.findFirst({ where: { leadId: lead.leadId, status: 'proposed' }, orderBy: { createdAt: 'desc' } }));
    const r = open
      ? await changeMeeting(tx, open, status, { ...details(b), source: b.source })
      : { meeting: await createMeeting(tx, { ...lead, status: 'booked', source: b.source, ...details(b) }), changed: true };
    await moveLead(tx, lead.leadId, 'converted');
    return { ...r, plan: { stop: 'meeting_booked' } as EffectPlan };
  };
  switch (b.kind) {
    case 'booked':
      // A redelivered or repeated creation finds its meeting: nothing changes, nothing is told.
      if (existing && existing.externalId === b.externalId && OPEN_MEETING_STATUSES.includes(existing.status as MeetingStatus)) {
        return { meeting: existing, plan: { stop: 'meeting_booked' }, changed: false };
      }
      return book('booked');
    case 'rescheduled':
      return book(existing ? 'rescheduled' : 'booked');
    case 'cancelled':
    case 'no_show': {
      if (!existing) return { meeting: null, plan: {}, changed: false };
      const r = await changeMeeting(tx, existing, b.kind === 'cancelled' ? 'cancelled' : 'no_show');
      return { ...r, plan: {} };
    }
  }
}

/** Processes one scheduling-tool inbox row (see the top of the file). */
export async function processBookingRow(
  deps: BookingProcessingDeps,
  id: string,
  row: Pick<WebhookEvent, 'provider' | 'payload' | 'status' | 'leadId'>,
): Promise<BookingOutcome> {
  const { db } = deps;
  const maxAttempts = deps.maxAttempts ?? MAX_INBOX_ATTEMPTS;
  if (row.status === 'processed' || row.status === 'ignored') return row.status;
  if (!isSchedulingProvider(row.provider)) throw new Error(`${row.provider} is not a scheduling tool`);
  let event: BookingEvent;
  try {
    // The dedupe key is the route's business; only the meaning is needed here.
    event = parseBookingWebhook(row.provider, row.payload, Buffer.alloc(0)).event;
  } catch (err) {
    const status = await markAttempt(db, id, { error: `unreadable payload: ${message(err)}`, status: 'failed', maxAttempts });
    return status === 'ignored' ? 'ignored' : 'failed';
  }
  if (event.kind === 'ignore') {
    await markIgnored(db, id, event.reason);
    return 'ignored';
  }
  const booking = event;

  let leadId = row.leadId;
  let plan: EffectPlan | null;
  try {
    const lead = leadId ? null : await findLead(db, booking);
    if (!leadId && !lead) {
      const status = await markAttempt(db, id, { error: 'no lead with the attendee email yet', status: 'pending', unmatched: true, maxAttempts });
      return status === 'ignored' ? 'ignored' : 'pending';
    }
    plan = await db.$transaction(async (tx) => {
      const locked = await lockForProcessing(tx, id);
      if (!locked) return null;
      if (locked.leadId) {
        leadId = locked.leadId;
        return storedPlan(tx, id, locked.leadId);
      }
      if (!lead) throw new Error('booking row lost its lead between read and lock');
      leadId = lead.leadId;
      const applied = await applyBooking(tx, booking, lead);
      await tx.activity.create({
        data: {
          clientId: lead.clientId,
          campaignId: lead.campaignId,
          leadId: lead.leadId,
          channel: 'email',
          action: `meeting_${booking.kind}`,
          metadata: {
            webhookEventId: id,
            source: booking.source,
            externalId: booking.externalId,
            meetingId: applied.meeting?.id ?? null,
            changed: applied.changed,
            startsAt: booking.startsAt?.toISOString() ?? null,
            plan: applied.plan as Record<string, unknown>,
          } as Prisma.InputJsonObject,
        },
      });
      await tx.webhookEvent.update({ where: { id }, data: { clientId: lead.clientId, leadId: lead.leadId } });
      return applied.plan;
    }, TX_OPTIONS);
  } catch (err) {
    await markAttempt(db, id, { error: message(err), status: 'failed', maxAttempts });
    return 'failed';
  }
  if (!plan || !leadId) return 'busy';
  try {
    if (plan.stop) await deps.sequences.stop(leadId, plan.stop, bookingSignalEventId(id));
  } catch (err) {
    // The meeting is recorded; only the stop waits (typically Temporal unreachable) for the sweep.
    await markAttempt(db, id, { error: `signal failed: ${message(err)}`, status: 'pending', maxAttempts });
    return 'pending';
  }
  await markProcessed(db, id);
  return 'processed';
}

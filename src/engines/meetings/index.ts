// Meetings with leads: proposed by a meeting-request reply (or by hand), booked when a scheduling
// tool (Cal.com, Calendly) or a person confirms one, then rescheduled, cancelled, marked no-show or
// completed. Every change is written with its outbound event (meeting.*) in the caller's transaction,
// so the client's systems hear of exactly the changes that happened. Reports count this table.
import type { Meeting, Prisma } from '../../db/client';
import { emitEvent, type EventType } from '../events';

export const MEETING_STATUSES = ['proposed', 'booked', 'rescheduled', 'cancelled', 'no_show', 'completed'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const MEETING_SOURCES = ['manual', 'reply', 'calcom', 'calendly'] as const;
export type MeetingSource = (typeof MEETING_SOURCES)[number];

/** Statuses in which a meeting is still going to happen (a booking for the lead confirms one of these). */
export const OPEN_MEETING_STATUSES: MeetingStatus[] = ['proposed', 'booked', 'rescheduled'];

/** Statuses that count as a meeting held or arranged (reports' "meetings"). */
export const BOOKED_MEETING_STATUSES: MeetingStatus[] = ['booked', 'rescheduled', 'no_show', 'completed'];

/** The event a move into each status tells the client (completed is not an event type). */
const EVENT_OF: Partial<Record<MeetingStatus, EventType>> = {
  proposed: 'meeting.proposed',
  booked: 'meeting.booked',
  rescheduled: 'meeting.rescheduled',
  cancelled: 'meeting.cancelled',
  no_show: 'meeting.no_show',
};

type Tx = Pick<Prisma.TransactionClient, 'meeting' | 'lead' | 'outboundEvent'>;

export interface MeetingDetails {
  title?: string | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  attendeeEmail?: string | null;
  location?: string | null;
  notes?: string | null;
  externalId?: string | null;
}

/** What receivers see under `data` (ids, state and times; no notes). */
export function meetingEventData(m: Meeting): Record<string, unknown> {
  return {
    meetingId: m.id,
    leadId: m.leadId,
    campaignId: m.campaignId,
    status: m.status,
    source: m.source,
    externalId: m.externalId,
    startsAt: m.startsAt?.toISOString() ?? null,
    endsAt: m.endsAt?.toISOString() ?? null,
  };
}

async function emitFor(tx: Tx, m: Meeting, status: MeetingStatus, extra: Record<string, unknown> = {}): Promise<void> {
  const type = EVENT_OF[status];
  if (type) await emitEvent(tx, { clientId: m.clientId, type, leadId: m.leadId, data: { ...meetingEventData(m), ...extra } });
}

/** A new meeting in `status` (and its event). */
export async function createMeeting(
  tx: Tx,
  a: {
    clientId: string;
    leadId: string;
    campaignId?: string | null;
    status: MeetingStatus;
    source: MeetingSource;
    inboundMessageId?: string | null;
  } & MeetingDetails,
): Promise<Meeting> {
  const m = await tx.meeting.create({
    data: {
      clientId: a.clientId,
      leadId: a.leadId,
      campaignId: a.campaignId ?? null,
      status: a.status,
      source: a.source,
      inboundMessageId: a.inboundMessageId ?? null,
      externalId: a.externalId ?? null,
      title: a.title ?? null,
      startsAt: a.startsAt ?? null,
      endsAt: a.endsAt ?? null,
      attendeeEmail: a.attendeeEmail ?? null,
      location: a.location ?? null,
      notes: a.notes ?? null,
    },
  });
  await emitFor(tx, m, a.status);
  return m;
}

/**
 * A meeting-request reply: a proposed meeting, unless the lead already has an open one (a second
 * "let's talk" in the same thread is the same meeting). Returns the meeting and whether it is new.
 */
export async function proposeMeeting(
  tx: Tx,
  a: { clientId: string; leadId: string; campaignId: string | null; inboundMessageId: string | null },
): Promise<{ meeting: Meeting; created: boolean }> {
  const open = await tx.meeting.findFirst({ where: { leadId: a.leadId, status: { in: OPEN_MEETING_STATUSES } }, orderBy: { createdAt: 'desc' } });
  if (open) return { meeting: open, created: false };
  return { meeting: await createMeeting(tx, { ...a, status: 'proposed', source: 'reply' }), created: true };
}

/**
 * Moves a meeting to `to` with `changes` and tells the client. A move to the status it already has
 * changes nothing and tells nobody, except a reschedule, which is news whenever its time changes.
 */
export async function changeMeeting(
  tx: Tx,
  m: Meeting,
  to: MeetingStatus,
  changes: MeetingDetails & { source?: MeetingSource } = {},
): Promise<{ meeting: Meeting; changed: boolean }> {
  const timeMoved =
    (changes.startsAt !== undefined && changes.startsAt?.getTime() !== m.startsAt?.getTime()) ||
    (changes.endsAt !== undefined && changes.endsAt?.getTime() !== m.endsAt?.getTime());
  const statusChanged = to !== m.status;
  const data: Prisma.MeetingUpdateInput = { status: to };
  for (const k of ['title', 'startsAt', 'endsAt', 'attendeeEmail', 'location', 'notes', 'externalId', 'source'] as const) {
    if (changes[k] !== undefined) (data as Record<string, unknown>)[k] = changes[k];
  }
  const updated = await tx.meeting.update({ where: { id: m.id }, data });
  const news = statusChanged || (to === 'rescheduled' && timeMoved);
  if (news) await emitFor(tx, updated, to, { previousStatus: m.status, ...(timeMoved ? { previousStartsAt: m.startsAt?.toISOString() ?? null } : {}) });
  const changed = news || Object.keys(data).length > 1;
  return { meeting: updated, changed };
}

// /api/v1/clients/:clientId/meetings — meetings with leads: proposed by meeting-request replies,
// booked through Cal.com/Calendly webhooks or entered here by a person. A meeting booked here stops
// the lead's sequences (reason meeting_booked), as a booking from a scheduling tool does.
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { changeMeeting, createMeeting, MEETING_SOURCES, MEETING_STATUSES, type MeetingStatus } from '../../engines/meetings';
import { moveLead } from '../../engines/replies/effects';
import { stopLeadSequences } from '../../lifecycle/sequences';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { dateTime, id, nullableDateTime, ok, created, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

const clientParams = z.object({ clientId: uuid });
export const meetingParams = z.object({ clientId: uuid, meetingId: uuid });
export const meetingListQuery = pageQuery.extend({
  status: z.enum(MEETING_STATUSES).optional(),
  source: z.enum(MEETING_SOURCES).optional(),
  leadId: uuid.optional(),
  campaignId: uuid.optional(),
});
const when = z.iso.datetime({ offset: true });
const details = {
  title: z.string().trim().min(1).max(300).nullable().optional(),
  startsAt: when.nullable().optional(),
  endsAt: when.nullable().optional(),
  location: z.string().trim().min(1).max(1000).nullable().optional(),
  notes: z.string().max(5000).nullable().optional(),
};
const endsAfterStart = (b: { startsAt?: string | null; endsAt?: string | null }) => !b.startsAt || !b.endsAt || new Date(b.endsAt) > new Date(b.startsAt);
export const createMeetingBody = z
  .object({ leadId: uuid, campaignId: uuid.optional(), status: z.enum(['proposed', 'booked']).default('booked'), ...details })
  .strict()
  .refine(endsAfterStart, { path: ['endsAt'], message: 'endsAt must be after startsAt' });
export const updateMeetingBody = z
  .object({ status: z.enum(MEETING_STATUSES).optional(), ...details })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .refine(endsAfterStart, { path: ['endsAt'], message: 'endsAt must be after startsAt' });

const nstr = z.string().nullable();
export const MeetingSchema = z
  .object({
    id,
    clientId: id,
    leadId: id,
    campaignId: id.nullable(),
    status: z.enum(MEETING_STATUSES),
    source: z.enum(MEETING_SOURCES),
    externalId: nstr,
    inboundMessageId: id.nullable(),
    title: nstr,
    startsAt: nullableDateTime,
    endsAt: nullableDateTime,
    attendeeEmail: nstr,
    location: nstr,
    notes: nstr,
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Meeting' });
const meetingEnvelope = z.object({ meeting: MeetingSchema });

const asDate = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
const BOOKED: MeetingStatus[] = ['booked', 'rescheduled'];

/** A booking's consequences outside the database: the lead's sequences stop. */
const stopFor = (deps: ApiDeps, leadId: string, meetingId: string) =>
  stopLeadSequences(deps.temporal, deps.db, leadId, 'meeting_booked', `meeting:${meetingId}`);

const MEETINGS = '/api/v1/clients/{clientId}/meetings';

export const meetingRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: MEETINGS,
    summary: 'Meetings with leads, newest first',
    tag: 'meetings',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: meetingListQuery,
    responses: { 200: ok(pageOf(MeetingSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const where: Prisma.MeetingWhereInput = {
        clientId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.leadId ? { leadId: q.leadId } : {}),
        ...(q.campaignId ? { campaignId: q.campaignId } : {}),
        ...cursorWhere(decodeCursor(q.cursor)),
      };
      const rows = await db.meeting.findMany({ where, orderBy: newestFirst, take: q.limit + 1 });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${MEETINGS}/{meetingId}`,
    summary: 'One meeting',
    tag: 'meetings',
    access: { kind: 'client', role: 'viewer' },
    params: meetingParams,
    responses: { 200: ok(meetingEnvelope) },
    handler: async ({ params: { clientId, meetingId }, res, deps: { db } }) => {
      const meeting = await db.meeting.findFirst({ where: { id: meetingId, clientId } });
      if (!meeting) throw notFound('meeting');
      res.json({ meeting });
    },
  }),
  defineRoute({
    method: 'post',
    path: MEETINGS,
    summary: 'Record a meeting by hand (booked by default: the lead’s sequences stop)',
    tag: 'meetings',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createMeetingBody,
    responses: { 201: created(meetingEnvelope) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const { db } = deps;
      const b = body();
      const lead = await db.lead.findFirst({ where: { id: b.leadId, clientId, deletedAt: null }, select: { id: true, email: true } });
      if (!lead) throw notFound('lead');
      if (b.campaignId && !(await db.campaign.findFirst({ where: { id: b.campaignId, clientId }, select: { id: true } }))) throw notFound('campaign');
      const meeting = await db.$transaction(async (tx) => {
        const m = await createMeeting(tx, {
          clientId,
          leadId: lead.id,
          campaignId: b.campaignId ?? null,
          status: b.status,
          source: 'manual',
          title: b.title,
          startsAt: asDate(b.startsAt),
          endsAt: asDate(b.endsAt),
          location: b.location,
          notes: b.notes,
          attendeeEmail: lead.email,
        });
        if (b.status === 'booked') await moveLead(tx, lead.id, 'converted');
        return m;
      });
      if (b.status === 'booked') await stopFor(deps, lead.id, meeting.id);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'meeting.create', entityType: 'meeting', entityId: meeting.id, after: meeting });
      res.status(201).json({ meeting });
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${MEETINGS}/{meetingId}`,
    summary: 'Change a meeting: status (booked, rescheduled, cancelled, no_show, completed), time, details',
    tag: 'meetings',
    access: { kind: 'client', role: 'member' },
    params: meetingParams,
    body: updateMeetingBody,
    responses: { 200: ok(meetingEnvelope) },
    handler: async ({ params: { clientId, meetingId }, body, req, res, deps }) => {
      const { db } = deps;
      // Another tenant's meeting is a 404 whatever the body says.
      const before = await db.meeting.findFirst({ where: { id: meetingId, clientId } });
      if (!before) throw notFound('meeting');
      const b = body();
      const to = (b.status ?? before.status) as MeetingStatus;
      const { meeting } = await db.$transaction(async (tx) => {
        const current = await tx.meeting.findUniqueOrThrow({ where: { id: meetingId } });
        const r2 = await changeMeeting(tx, current, to, {
          title: b.title,
          startsAt: asDate(b.startsAt),
          endsAt: asDate(b.endsAt),
          location: b.location,
          notes: b.notes,
        });
        if (BOOKED.includes(to) && !BOOKED.includes(current.status as MeetingStatus)) await moveLead(tx, current.leadId, 'converted');
        return r2;
      });
      if (BOOKED.includes(to) && !BOOKED.includes(before.status as MeetingStatus)) await stopFor(deps, meeting.leadId, meeting.id);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'meeting.update', entityType: 'meeting', entityId: meetingId, before, after: meeting });
      res.json({ meeting });
    },
  }),
];

export const meetingsRouter = (deps: ApiDeps) => routerFor(deps, MEETINGS, meetingRoutes);

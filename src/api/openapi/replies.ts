// /api/v1/clients/{clientId}/replies (the replies inbox), /reviews (the review queue) and /meetings.
import { z } from 'zod';
import { INTENTS } from '../../engines/closer/classification';
import { MEETING_SOURCES, MEETING_STATUSES } from '../../engines/meetings';
import { REVIEW_STATUSES } from '../../engines/replies/review';
import { createMeetingBody, meetingListQuery, meetingParams, updateMeetingBody } from '../routes/meetings';
import { replyListQuery, replyParams, replyPatchBody } from '../routes/replies';
import { resolveBody, reviewListQuery, reviewParams } from '../routes/reviews';
import { uuid } from '../validate';
import { ChannelSchema } from './models';
import { created, dateTime, id, nullableDateTime, ok, pageOf, type ApiOperation } from './spec';

const nstr = z.string().nullable();
const clientParams = z.object({ clientId: uuid });

export const ReplySchema = z
  .object({
    id,
    clientId: id,
    leadId: id,
    campaignId: id.nullable(),
    channel: ChannelSchema,
    touchNumber: z.number().int().nullable(),
    providerMessageId: nstr,
    subject: nstr,
    body: z.string(),
    intent: nstr.describe(`one of ${INTENTS.join(', ')}`),
    confidence: z.number().nullable(),
    actions: z.array(z.string()).describe('what the system did: stopped, paused_out_of_office, unsubscribed, referral_lead_created, meeting_proposed, review, reviewed'),
    handled: z.boolean(),
    handledAt: nullableDateTime,
    handledBy: id.nullable(),
    assignedTo: id.nullable(),
    receivedAt: dateTime,
    createdAt: dateTime,
    lead: z.object({ id, firstName: nstr, lastName: nstr, email: nstr, phone: nstr, companyName: nstr, status: z.string() }).nullable(),
    campaign: z.object({ id, name: z.string() }).nullable(),
    review: z.object({ id, status: z.string(), reason: nstr }).nullable(),
  })
  .meta({ id: 'Reply' });

const ThreadEntrySchema = z
  .object({
    direction: z.enum(['outbound', 'inbound']),
    id,
    at: dateTime,
    channel: ChannelSchema,
    campaignId: id.nullable(),
    touchNumber: z.number().int().nullable(),
    subject: nstr,
    body: nstr,
  })
  .meta({ id: 'ThreadEntry' });

export const ReviewSchema = z
  .object({
    id,
    clientId: id,
    leadId: id,
    webhookEventId: nstr,
    messageId: id.nullable(),
    channel: ChannelSchema,
    text: z.string(),
    intent: z.string(),
    confidence: z.number(),
    status: z.enum(REVIEW_STATUSES),
    reason: nstr,
    resolvedIntent: nstr,
    resolvedBy: nstr,
    resolvedAt: nullableDateTime,
    staleNotifiedAt: nullableDateTime,
    createdAt: dateTime,
  })
  .meta({ id: 'ReplyReview' });

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

const replies = '/api/v1/clients/{clientId}/replies';
const reviews = '/api/v1/clients/{clientId}/reviews';
const meetings = '/api/v1/clients/{clientId}/meetings';

export const replyOperations: ApiOperation[] = [
  {
    method: 'get',
    path: replies,
    summary: 'The replies inbox: inbound messages on every channel, newest first',
    description: 'Filters: intent, channel, campaignId, leadId, handled, assignedTo, from/to (received, ISO 8601), q (words in the subject or body, matched literally, case-insensitive).',
    tag: 'replies',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: replyListQuery,
    responses: { 200: ok(pageOf(ReplySchema)) },
  },
  {
    method: 'get',
    path: `${replies}/{replyId}`,
    summary: 'One reply with its thread (our sent touches and the lead’s earlier replies, oldest first)',
    tag: 'replies',
    access: { kind: 'client', role: 'viewer' },
    params: replyParams,
    responses: { 200: ok(z.object({ reply: ReplySchema, thread: z.array(ThreadEntrySchema) })) },
  },
  {
    method: 'patch',
    path: `${replies}/{replyId}`,
    summary: 'Mark a reply handled (or not) and/or assign it to a member (null unassigns)',
    tag: 'replies',
    access: { kind: 'client', role: 'member' },
    params: replyParams,
    body: replyPatchBody,
    responses: { 200: ok(z.object({ reply: ReplySchema })) },
  },
  {
    method: 'get',
    path: reviews,
    summary: 'The review queue: replies waiting for a person, newest first',
    tag: 'reviews',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: reviewListQuery,
    responses: { 200: ok(pageOf(ReviewSchema)) },
  },
  {
    method: 'get',
    path: `${reviews}/{reviewId}`,
    summary: 'One review',
    tag: 'reviews',
    access: { kind: 'client', role: 'viewer' },
    params: reviewParams,
    responses: { 200: ok(z.object({ review: ReviewSchema })) },
  },
  {
    method: 'post',
    path: `${reviews}/{reviewId}/resolve`,
    summary: 'Resolve a review with the right intent: its effects are applied once',
    description:
      'Applies what the intent means (stop, unsubscribe and suppression, out-of-office pause with `returnDate`, referral lead with `referral`, proposed meeting) exactly as automatic classification would, then signals the lead’s sequences. A resolved review is 409. `signalled: false` means the sequences could not be reached; the effects are applied.',
    tag: 'reviews',
    access: { kind: 'client', role: 'member' },
    params: reviewParams,
    body: resolveBody,
    responses: { 200: ok(z.object({ review: ReviewSchema, actions: z.array(z.string()), signalled: z.boolean() })) },
  },
  {
    method: 'get',
    path: meetings,
    summary: 'Meetings with leads, newest first',
    tag: 'meetings',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: meetingListQuery,
    responses: { 200: ok(pageOf(MeetingSchema)) },
  },
  {
    method: 'get',
    path: `${meetings}/{meetingId}`,
    summary: 'One meeting',
    tag: 'meetings',
    access: { kind: 'client', role: 'viewer' },
    params: meetingParams,
    responses: { 200: ok(z.object({ meeting: MeetingSchema })) },
  },
  {
    method: 'post',
    path: meetings,
    summary: 'Record a meeting by hand (booked by default: the lead’s sequences stop)',
    tag: 'meetings',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createMeetingBody,
    responses: { 201: created(z.object({ meeting: MeetingSchema })) },
  },
  {
    method: 'patch',
    path: `${meetings}/{meetingId}`,
    summary: 'Change a meeting: status (booked, rescheduled, cancelled, no_show, completed), time, details',
    tag: 'meetings',
    access: { kind: 'client', role: 'member' },
    params: meetingParams,
    body: updateMeetingBody,
    responses: { 200: ok(z.object({ meeting: MeetingSchema })) },
  },
];

// Provider webhooks (no API key: each verifies its provider's credentials) and one-click unsubscribe.
import { z } from 'zod';
import { hint } from '../routes/webhooks/heyreach';
import { ErrorBody, ok, type ApiOperation } from './spec';

const accepted = z.object({ received: z.literal(true), id: z.string(), duplicate: z.boolean() });
const payload = z.record(z.string(), z.unknown());
const token = z.object({ token: z.string() });
// Said of every webhook: credentials are checked before the body is read.
const AUTH_FIRST = 'Credentials are checked before the body is parsed. Past WEBHOOK_AUTH_FAILURES_PER_IP failed authentications a minute, an address gets 429 with Retry-After (good credentials are never limited).';

export const webhookOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/webhooks/postmark',
    summary: 'Postmark inbound email and delivery/bounce/spam/open/click events',
    description: `Basic credentials in the webhook URL and/or X-Webhook-Secret. Failures are 401 (Postmark stops retrying on 403). ${AUTH_FIRST}`,
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(accepted, 'Stored (or a redelivery of a stored event)') },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/twilio',
    summary: 'Twilio inbound SMS and status callbacks (form-encoded, X-Twilio-Signature)',
    description: 'Form-encoded bodies only (415 otherwise: the signature covers form fields, not other bodies). The signature is checked after the bounded form is parsed. Past WEBHOOK_AUTH_FAILURES_PER_IP failed authentications a minute, an address gets 429.',
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    otherBodies: { 'application/x-www-form-urlencoded': z.record(z.string(), z.string()) },
    responses: { 200: { description: 'Empty TwiML', contentType: 'text/xml' } },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/heyreach',
    summary: 'HeyReach LinkedIn replies and connection acceptances (shared secret)',
    description: AUTH_FIRST,
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    query: hint,
    body: payload,
    responses: { 200: ok(accepted) },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/vapi',
    summary: 'Vapi server messages (shared secret)',
    description: AUTH_FIRST,
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(z.union([accepted, z.object({ received: z.literal(true), stored: z.literal(false) })])) },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/telegram',
    summary: 'Telegram Bot API updates (X-Telegram-Bot-Api-Secret-Token), deduplicated on update_id',
    description: 'Messages and inline-button presses are stored and answered at once, then handled. Missing token: 401; wrong: 403; Telegram not configured: 404. ' + AUTH_FIRST,
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(z.union([accepted, z.object({ received: z.literal(true), stored: z.literal(false) })]), 'Stored (or a redelivery), or an update kind that needs no action') },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/calcom',
    summary: 'Cal.com booking webhooks (X-Cal-Signature-256: hex HMAC-SHA256 of the raw body)',
    description: 'Bookings created, rescheduled, cancelled and no-shows become meetings, matched to the lead by attendee email. Missing signature or secret not configured: 401; wrong: 403.',
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(accepted, 'Stored (or a redelivery of a stored event)') },
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/calendly',
    summary: 'Calendly webhook subscriptions (Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">)',
    description: 'invitee.created (booked or rescheduled), invitee.canceled and invitee_no_show.created become meeting changes. A signature older than 3 minutes is refused (403, replay protection).',
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(accepted, 'Stored (or a redelivery of a stored event)') },
  },
  {
    method: 'get',
    path: '/u/{token}',
    summary: 'One-click unsubscribe: the confirmation page (never unsubscribes by itself)',
    tag: 'unsubscribe',
    access: { kind: 'public' },
    params: token,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 400: { description: 'Invalid link (HTML for browsers, JSON otherwise)', contentType: 'text/html', schema: ErrorBody } },
  },
  {
    method: 'post',
    path: '/u/{token}',
    summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)',
    tag: 'unsubscribe',
    access: { kind: 'public' },
    params: token,
    otherBodies: { 'application/x-www-form-urlencoded': z.record(z.string(), z.string()) },
    responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 400: { description: 'Invalid link (HTML for browsers, JSON otherwise)', contentType: 'text/html', schema: ErrorBody } },
  },
];

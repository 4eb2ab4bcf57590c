// Scheduling tools' booking webhooks (Cal.com, Calendly): signature checks over the raw body and the
// provider-neutral booking each payload means. Objects are loose so fields the providers add are kept.
//   Cal.com:  X-Cal-Signature-256 = hex HMAC-SHA256(webhook secret, raw body).
//   Calendly: Calendly-Webhook-Signature = `t=<unix seconds>,v1=<hex HMAC-SHA256(signing key, "<t>.<raw body>")>`;
//             a timestamp older (or newer) than the tolerance is refused, so a captured request
//             cannot be replayed later.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SCHEDULING_PROVIDERS = ['calcom', 'calendly'] as const;
export type SchedulingProvider = (typeof SCHEDULING_PROVIDERS)[number];

export const CALCOM_SIGNATURE_HEADER = 'x-cal-signature-256';
export const CALENDLY_SIGNATURE_HEADER = 'calendly-webhook-signature';
/** How far a Calendly signature's timestamp may be from now (Calendly's own guidance is minutes). */
export const CALENDLY_TOLERANCE_MS = 3 * 60_000;

const hmacHex = (key: string, data: Buffer | string) => createHmac('sha256', key).update(data).digest('hex');

/** Constant-time comparison of two hex strings (unequal lengths are simply unequal). */
function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim().toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type SignatureCheck = 'ok' | 'missing' | 'wrong' | 'stale';

export function verifyCalcomSignature(secret: string, rawBody: Buffer, header: string | undefined): SignatureCheck {
  if (!header) return 'missing';
  return sameHex(header, hmacHex(secret, rawBody)) ? 'ok' : 'wrong';
}

/** Cal.com's header for a body, as its server computes it (tests sign with it). */
export const calcomSignature = (secret: string, rawBody: Buffer | string) => hmacHex(secret, rawBody);

export function verifyCalendlySignature(
  key: string,
  rawBody: Buffer,
  header: string | undefined,
  now = Date.now(),
  toleranceMs = CALENDLY_TOLERANCE_MS,
): SignatureCheck {
  if (!header) return 'missing';
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1) return 'wrong';
  if (!sameHex(v1, hmacHex(key, Buffer.concat([Buffer.from(`${t}.`, 'utf8'), rawBody])))) return 'wrong';
  // Checked after the signature, so the answer says nothing about timestamps to a forger.
  return Math.abs(now - Number(t) * 1000) > toleranceMs ? 'stale' : 'ok';
}

/** Calendly's header for a body at `t` (unix seconds), as its server computes it (tests sign with it). */
export const calendlySignature = (key: string, rawBody: Buffer | string, t: number) => `t=${t},v1=${hmacHex(key, `${t}.${rawBody.toString()}`)}`;

/** What a booking webhook means, whichever tool sent it. */
export type BookingEvent =
  | {
      kind: 'booked' | 'rescheduled' | 'cancelled' | 'no_show';
      source: SchedulingProvider;
      /** The booking at the tool: Cal.com's booking uid, Calendly's invitee URI. */
      externalId: string;
      /** A reschedule: the booking it replaces. */
      previousExternalId?: string;
      attendeeEmails: string[];
      title?: string;
      startsAt?: Date;
      endsAt?: Date;
      location?: string;
    }
  | { kind: 'ignore'; reason: string };

export interface ParsedBookingWebhook {
  eventType: string;
  /** Stable across the provider's redeliveries of this event (its body), distinct between events. */
  dedupeKey: string;
  event: BookingEvent;
}

const isoDate = (v: string | null | undefined): Date | undefined => {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

const emailList = (xs: { email?: string | null }[]) => [
  ...new Set(xs.map((x) => x.email?.trim().toLowerCase()).filter((e): e is string => !!e && e.includes('@'))),
];

const bodyKey = (eventType: string, raw: Buffer) => `${eventType}:${createHash('sha256').update(raw).digest('hex')}`;

// --- Cal.com ---------------------------------------------------------------------------------

const CalcomAttendee = z.looseObject({ email: z.string().max(320).nullish(), name: z.string().nullish(), noShow: z.boolean().nullish() });

export const CalcomWebhookSchema = z.looseObject({
  triggerEvent: z.string().min(1).max(100),
  createdAt: z.string().nullish(),
  payload: z
    .looseObject({
      uid: z.string().max(200).nullish(),
      bookingUid: z.string().max(200).nullish(),
      title: z.string().max(1000).nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
      location: z.string().max(2000).nullish(),
      attendees: z.array(CalcomAttendee).max(200).nullish(),
      // The booking a reschedule replaces (Cal.com has used each of these names).
      rescheduleUid: z.string().max(200).nullish(),
      fromReschedule: z.string().max(200).nullish(),
      rescheduledFromUid: z.string().max(200).nullish(),
    })
    .default({}),
});

export function parseCalcomWebhook(body: unknown, raw: Buffer): ParsedBookingWebhook {
  const w = CalcomWebhookSchema.parse(body);
  const p = w.payload;
  const eventType = w.triggerEvent;
  const dedupeKey = bodyKey(eventType, raw);
  const uid = p.uid ?? p.bookingUid;
  const attendees = p.attendees ?? [];
  const common = {
    source: 'calcom' as const,
    attendeeEmails: emailList(attendees),
    title: p.title ?? undefined,
    startsAt: isoDate(p.startTime),
    endsAt: isoDate(p.endTime),
    location: p.location ?? undefined,
  };
  const kindOf: Record<string, 'booked' | 'rescheduled' | 'cancelled' | 'no_show'> = {
    BOOKING_CREATED: 'booked',
    BOOKING_RESCHEDULED: 'rescheduled',
    BOOKING_CANCELLED: 'cancelled',
    BOOKING_NO_SHOW_UPDATED: 'no_show',
    AFTER_GUESTS_CAL_VIDEO_NO_SHOW: 'no_show',
  };
  const kind = kindOf[eventType];
  if (!kind) return { eventType, dedupeKey, event: { kind: 'ignore', reason: `Cal.com ${eventType} needs no action` } };
  if (!uid) return { eventType, dedupeKey, event: { kind: 'ignore', reason: `Cal.com ${eventType} without a booking uid` } };
  if (eventType === 'BOOKING_NO_SHOW_UPDATED' && !attendees.some((a) => a.noShow === true)) {
    return { eventType, dedupeKey, event: { kind: 'ignore', reason: 'Cal.com no-show cleared' } };
  }
  const previous = kind === 'rescheduled' ? (p.rescheduleUid ?? p.fromReschedule ?? p.rescheduledFromUid ?? undefined) : undefined;
  return { eventType, dedupeKey, event: { kind, externalId: uid, ...(previous && previous !== uid ? { previousExternalId: previous } : {}), ...common } };
}

// --- Calendly --------------------------------------------------------------------------------

const CalendlyLocation = z.looseObject({ location: z.string().nullish(), join_url: z.string().nullish(), type: z.string().nullish() });

export const CalendlyWebhookSchema = z.looseObject({
  event: z.string().min(1).max(100),
  created_at: z.string().nullish(),
  payload: z
    .looseObject({
      uri: z.string().max(500).nullish(),
      email: z.string().max(320).nullish(),
      name: z.string().nullish(),
      rescheduled: z.boolean().nullish(),
      old_invitee: z.string().max(500).nullish(),
      new_invitee: z.string().max(500).nullish(),
      // invitee_no_show.*: the invitee the no-show is about.
      invitee: z.string().max(500).nullish(),
      scheduled_event: z
        .looseObject({
          name: z.string().max(1000).nullish(),
          start_time: z.string().nullish(),
          end_time: z.string().nullish(),
          location: CalendlyLocation.nullish(),
        })
        .nullish(),
    })
    .default({}),
});

export function parseCalendlyWebhook(body: unknown, raw: Buffer): ParsedBookingWebhook {
  const w = CalendlyWebhookSchema.parse(body);
  const p = w.payload;
  const eventType = w.event;
  const dedupeKey = bodyKey(eventType, raw);
  const ev = p.scheduled_event;
  const common = {
    source: 'calendly' as const,
    attendeeEmails: emailList([{ email: p.email }]),
    title: ev?.name ?? undefined,
    startsAt: isoDate(ev?.start_time),
    endsAt: isoDate(ev?.end_time),
    location: ev?.location?.location ?? ev?.location?.join_url ?? undefined,
  };
  const ignore = (reason: string): ParsedBookingWebhook => ({ eventType, dedupeKey, event: { kind: 'ignore', reason } });
  switch (eventType) {
    case 'invitee.created':
      if (!p.uri) return ignore('Calendly invitee.created without an invitee URI');
      // A reschedule arrives as the old invitee's cancellation (rescheduled: true) and this creation.
      return {
        eventType,
        dedupeKey,
        event: p.old_invitee
          ? { kind: 'rescheduled', externalId: p.uri, previousExternalId: p.old_invitee, ...common }
          : { kind: 'booked', externalId: p.uri, ...common },
      };
    case 'invitee.canceled':
      if (!p.uri) return ignore('Calendly invitee.canceled without an invitee URI');
      if (p.rescheduled) return ignore('Calendly cancellation that is half of a reschedule (its invitee.created moves the meeting)');
      return { eventType, dedupeKey, event: { kind: 'cancelled', externalId: p.uri, ...common } };
    case 'invitee_no_show.created':
      if (!p.invitee) return ignore('Calendly no-show without an invitee URI');
      return { eventType, dedupeKey, event: { kind: 'no_show', externalId: p.invitee, ...common } };
    default:
      return ignore(`Calendly ${eventType} needs no action`);
  }
}

export function parseBookingWebhook(provider: SchedulingProvider, body: unknown, raw: Buffer): ParsedBookingWebhook {
  return provider === 'calcom' ? parseCalcomWebhook(body, raw) : parseCalendlyWebhook(body, raw);
}

// HeyReach (LinkedIn automation) webhooks. HeyReach publishes no payload schema; this shape comes
// from integrations that log what it actually sends, and they disagree on spelling, so both are
// accepted and normalised:
//   - event type: `event_type` or `eventType` (any case, e.g. "every_message_reply_received"); some
//     deliveries carry none, because a HeyReach webhook is registered per event type, so the route
//     can pass the type it registered (`opts.eventType`, e.g. from the URL path);
//   - lead: `lead.{profile_url|profileUrl|linkedin_url|linkedInUrl, first_name|firstName,
//     last_name|lastName, full_name|fullName, email_address|emailAddress|email,
//     company_name|companyName, position, id}`;
//   - reply text: the newest `recent_messages[]` entry with `is_reply: true` (`{message,
//     creation_time}`), else `message` (string or `{text}`), `messageBody` or `message_text`;
//   - `conversation_id|conversationId`, `campaign.{id,name}` or `campaign_id|campaignId`,
//     `sender.id` / `sender.linkedInAccount.id` / `linkedInAccount.id`, `timestamp|created_at`.
// Validation errors name the canonical (camelCase) field, e.g. `lead.profileUrl`.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const HEYREACH_REPLY_EVENTS = ['MESSAGE_REPLY_RECEIVED', 'EVERY_MESSAGE_REPLY_RECEIVED', 'INMAIL_REPLY_RECEIVED'] as const;
export const HEYREACH_CONNECTION_ACCEPTED = 'CONNECTION_REQUEST_ACCEPTED';

const text = z.string().nullish();
const id = z.union([z.string(), z.number()]).nullish();

const RawMessageSchema = z.looseObject({
  message: text,
  creation_time: text,
  creationTime: text,
  is_reply: z.boolean().nullish(),
  isReply: z.boolean().nullish(),
});

/** What the body must look like before normalisation: every alias optional, but typed when present. */
export const HeyReachRawSchema = z.looseObject({
  event_type: text,
  eventType: text,
  lead: z
    .looseObject({
      id,
      profile_url: text,
      profileUrl: text,
      linkedin_url: text,
      linkedInUrl: text,
      first_name: text,
      firstName: text,
      last_name: text,
      lastName: text,
      full_name: text,
      fullName: text,
      email_address: text,
      emailAddress: text,
      email: text,
      company_name: text,
      companyName: text,
      position: text,
    })
    .nullish(),
  campaign: z.looseObject({ id, name: text }).nullish(),
  campaign_id: id,
  campaignId: id,
  conversation_id: id,
  conversationId: id,
  sender: z.looseObject({ id, linkedInAccount: z.looseObject({ id }).nullish() }).nullish(),
  linkedInAccount: z.looseObject({ id }).nullish(),
  recent_messages: z.array(RawMessageSchema).nullish(),
  recentMessages: z.array(RawMessageSchema).nullish(),
  message: z.union([z.string(), z.looseObject({ text, id })]).nullish(),
  messageBody: text,
  message_text: text,
  timestamp: text,
  created_at: text,
  createdAt: text,
  is_inmail: z.boolean().nullish(),
});
export type HeyReachRawEvent = z.infer<typeof HeyReachRawSchema>;

const LeadSchema = z.object({
  profileUrl: z.string().min(1),
  id: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  fullName: z.string().optional(),
  email: z.string().optional(),
  companyName: z.string().optional(),
  position: z.string().optional(),
});

const common = {
  eventType: z.string().min(1),
  campaign: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  conversationId: z.string().optional(),
  senderAccountId: z.string().optional(),
  occurredAt: z.string().optional(),
};

export const HeyReachNormalizedSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message_reply'),
    lead: LeadSchema,
    message: z.object({ text: z.string().trim().min(1), sentAt: z.string().optional() }),
    ...common,
  }),
  z.object({ kind: z.literal('connection_accepted'), lead: LeadSchema, ...common }),
  // Events we only record (sent, viewed, liked, campaign completed…): the lead may be absent.
  z.object({ kind: z.literal('other'), lead: LeadSchema.partial().optional(), ...common }),
]);
export type HeyReachEvent = z.infer<typeof HeyReachNormalizedSchema>;

export type ParsedHeyReachWebhook = HeyReachEvent & {
  /** See `heyReachDedupeKey`. */
  dedupeKey: string;
  /** The body as received (loose: unknown fields kept) for the inbox row. */
  raw: HeyReachRawEvent;
};

/** `https://www.linkedin.com/in/jane-doe` for every spelling of the same profile URL. */
export function normalizeLinkedInUrl(url: string): string {
  const bare = url
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
  // Country subdomains (au.linkedin.com) and a missing www name the same profile; slugs are case-insensitive.
  const m = /^(?:[a-z]{2,3}\.)?linkedin\.com(\/.*)?$/i.exec(bare);
  return m ? `https://www.linkedin.com${(m[1] ?? '').toLowerCase()}` : `https://${bare}`;
}

const str = (v: string | number | null | undefined): string | undefined => {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s.length > 0 ? s : undefined;
};

function first(...values: (string | number | null | undefined)[]): string | undefined {
  for (const v of values) {
    const s = str(v);
    if (s !== undefined) return s;
  }
  return undefined;
}

function kindOf(eventType: string | undefined): HeyReachEvent['kind'] {
  if (eventType === HEYREACH_CONNECTION_ACCEPTED) return 'connection_accepted';
  return (HEYREACH_REPLY_EVENTS as readonly string[]).includes(eventType ?? '') ? 'message_reply' : 'other';
}

function latestReply(raw: HeyReachRawEvent): { text?: string; sentAt?: string } {
  const messages = raw.recent_messages ?? raw.recentMessages ?? [];
  const replies = messages.filter((m) => (m.is_reply ?? m.isReply) === true);
  // Newest by creation time when every reply has one, else the last listed.
  const sorted = replies.every((m) => first(m.creation_time, m.creationTime))
    ? [...replies].sort((a, b) => Date.parse(first(a.creation_time, a.creationTime)!) - Date.parse(first(b.creation_time, b.creationTime)!))
    : replies;
  const newest = sorted[sorted.length - 1];
  if (newest && str(newest.message)) return { text: str(newest.message), sentAt: first(newest.creation_time, newest.creationTime) };
  const message = typeof raw.message === 'string' ? raw.message : raw.message?.text;
  return { text: first(message, raw.messageBody, raw.message_text) };
}

function normalize(raw: HeyReachRawEvent, hintedType: string | undefined): Record<string, unknown> {
  const eventType = first(raw.event_type, raw.eventType, hintedType)?.toUpperCase();
  const kind = kindOf(eventType);
  const l = raw.lead ?? undefined;
  const profile = first(l?.profile_url, l?.profileUrl, l?.linkedin_url, l?.linkedInUrl);
  const lead = l
    ? {
        profileUrl: profile ? normalizeLinkedInUrl(profile) : undefined,
        id: str(l.id),
        firstName: first(l.first_name, l.firstName),
        lastName: first(l.last_name, l.lastName),
        fullName: first(l.full_name, l.fullName),
        email: first(l.email_address, l.emailAddress, l.email)?.toLowerCase(),
        companyName: first(l.company_name, l.companyName),
        position: str(l.position),
      }
    : undefined;
  const campaignId = first(raw.campaign?.id, raw.campaign_id, raw.campaignId);
  const campaignName = str(raw.campaign?.name);
  const reply = kind === 'message_reply' ? latestReply(raw) : undefined;
  return {
    kind,
    eventType,
    lead,
    ...(reply ? { message: { text: reply.text, sentAt: reply.sentAt } } : {}),
    campaign: campaignId || campaignName ? { id: campaignId, name: campaignName } : undefined,
    conversationId: first(raw.conversation_id, raw.conversationId),
    senderAccountId: first(raw.sender?.linkedInAccount?.id, raw.sender?.id, raw.linkedInAccount?.id),
    occurredAt: first(raw.timestamp, raw.created_at, raw.createdAt),
  };
}

const shortHash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

/*
 * Dedupe keys. HeyReach sends no event id, and it redelivers failed webhooks for a day, so keys are
 * built from what identifies the event itself, never from our receive time:
 * - reply: `reply:<conversationId or profile URL>:<reply time or '-'>:<hash of the reply text>`.
 *   The prefix is the same for MESSAGE_REPLY_RECEIVED, EVERY_MESSAGE_REPLY_RECEIVED and
 *   INMAIL_REPLY_RECEIVED, so one reply delivered to two subscriptions is applied once.
 * - connection accepted: `connection_accepted:<profile URL>:<sender seat or '-'>` (happens once per
 *   lead and seat).
 * - other: `<EVENT_TYPE>:<profile URL or '-'>:<timestamp, or a hash of the body without one>`.
 */
export function heyReachDedupeKey(e: HeyReachEvent, raw: HeyReachRawEvent): string {
  switch (e.kind) {
    case 'message_reply':
      return `reply:${e.conversationId ?? e.lead.profileUrl}:${e.message.sentAt ?? '-'}:${shortHash(e.message.text.trim())}`;
    case 'connection_accepted':
      return `connection_accepted:${e.lead.profileUrl}:${e.senderAccountId ?? '-'}`;
    case 'other':
      return `${e.eventType}:${e.lead?.profileUrl ?? '-'}:${e.occurredAt ?? shortHash(JSON.stringify(raw))}`;
  }
}

/**
 * Validates and normalises a HeyReach webhook body. `opts.eventType` is used only when the body
 * names none. Throws a ZodError naming the offending (canonical) field.
 */
export function parseHeyReachWebhook(body: unknown, opts: { eventType?: string } = {}): ParsedHeyReachWebhook {
  const raw = HeyReachRawSchema.parse(body);
  const event = HeyReachNormalizedSchema.parse(normalize(raw, opts.eventType));
  return { ...event, dedupeKey: heyReachDedupeKey(event, raw), raw };
}

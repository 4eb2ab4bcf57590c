// Postmark webhook payloads (inbound email and the RecordType-tagged outbound events), shaped after
// Postmark's documented JSON and the `postmark` SDK's own payload types (models/webhooks/payload).
// Objects are loose: fields Postmark adds later are kept in the inbox row, while the fields we act
// on are required. `parsePostmarkWebhook` throws a ZodError naming the offending field.
import { z } from 'zod';

// Local on purpose: each provider schema file stands alone (no shared helper module to coordinate).
const timestamp = z
  .string()
  .min(1)
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected a parseable date-time' });
const optionalText = z.string().nullish();
const metadata = z.record(z.string(), z.string()).nullish();

export const PostmarkRecipientSchema = z.looseObject({
  Email: z.string().min(1),
  Name: optionalText,
  MailboxHash: optionalText,
});

export const PostmarkHeaderSchema = z.looseObject({ Name: z.string(), Value: z.string() });

export const PostmarkAttachmentSchema = z.looseObject({
  Name: z.string(),
  ContentType: z.string(),
  ContentLength: z.number().int().nonnegative().optional(),
  Content: z.string().optional(),
  ContentID: optionalText,
});

export const PostmarkInboundSchema = z.looseObject({
  // Absent in Postmark's documented inbound example; accepted if a newer payload adds it.
  RecordType: z.literal('Inbound').optional(),
  MessageID: z.string().min(1),
  From: z.string().min(1),
  FromName: optionalText,
  FromFull: PostmarkRecipientSchema,
  To: z.string(),
  ToFull: z.array(PostmarkRecipientSchema).optional(),
  Cc: optionalText,
  CcFull: z.array(PostmarkRecipientSchema).optional(),
  Bcc: optionalText,
  BccFull: z.array(PostmarkRecipientSchema).optional(),
  OriginalRecipient: optionalText,
  ReplyTo: optionalText,
  Subject: z.string(),
  // Postmark passes the sender's Date header through as written, so it is not parsed here.
  Date: z.string(),
  MailboxHash: optionalText,
  Tag: optionalText,
  MessageStream: optionalText,
  TextBody: z.string(),
  HtmlBody: optionalText,
  StrippedTextReply: optionalText,
  Headers: z.array(PostmarkHeaderSchema),
  Attachments: z.array(PostmarkAttachmentSchema).optional(),
});

const bounceFields = {
  ID: z.number().int(),
  Type: z.string().min(1),
  TypeCode: z.number().int(),
  Name: optionalText,
  Tag: optionalText,
  MessageID: z.string().min(1),
  ServerID: z.number().int(),
  MessageStream: optionalText,
  Description: z.string(),
  Details: z.string(),
  Email: z.string().min(1),
  From: optionalText,
  BouncedAt: timestamp,
  DumpAvailable: z.boolean().optional(),
  Inactive: z.boolean(),
  CanActivate: z.boolean(),
  Subject: optionalText,
  Content: optionalText,
  Metadata: metadata,
};

export const PostmarkBounceSchema = z.looseObject({ RecordType: z.literal('Bounce'), ...bounceFields });
export const PostmarkSpamComplaintSchema = z.looseObject({ RecordType: z.literal('SpamComplaint'), ...bounceFields });

export const PostmarkDeliverySchema = z.looseObject({
  RecordType: z.literal('Delivery'),
  MessageID: z.string().min(1),
  Recipient: z.string().min(1),
  DeliveredAt: timestamp,
  Details: optionalText,
  ServerID: z.number().int().optional(),
  MessageStream: optionalText,
  Tag: optionalText,
  Metadata: metadata,
});

const clientDetails = z.looseObject({ Name: optionalText, Company: optionalText, Family: optionalText }).nullish();
const geo = z.looseObject({}).nullish();

export const PostmarkOpenSchema = z.looseObject({
  RecordType: z.literal('Open'),
  MessageID: z.string().min(1),
  Recipient: z.string().min(1),
  ReceivedAt: timestamp,
  FirstOpen: z.boolean(),
  Client: clientDetails,
  OS: clientDetails,
  Platform: optionalText,
  UserAgent: optionalText,
  ReadSeconds: z.number().optional(),
  Geo: geo,
  ServerID: z.number().int().optional(),
  MessageStream: optionalText,
  Tag: optionalText,
  Metadata: metadata,
});

export const PostmarkClickSchema = z.looseObject({
  RecordType: z.literal('Click'),
  MessageID: z.string().min(1),
  Recipient: z.string().min(1),
  ReceivedAt: timestamp,
  OriginalLink: z.string().min(1),
  ClickLocation: optionalText,
  Client: clientDetails,
  OS: clientDetails,
  Platform: optionalText,
  UserAgent: optionalText,
  Geo: geo,
  ServerID: z.number().int().optional(),
  MessageStream: optionalText,
  Tag: optionalText,
  Metadata: metadata,
});

export const PostmarkSubscriptionChangeSchema = z.looseObject({
  RecordType: z.literal('SubscriptionChange'),
  // Null when the change was not caused by a message (e.g. a suppression added through the API).
  MessageID: z.string().min(1).nullish(),
  Recipient: z.string().min(1),
  ChangedAt: timestamp,
  SuppressSending: z.boolean(),
  // HardBounce | SpamComplaint | ManualSuppression; null on reactivation.
  SuppressionReason: optionalText,
  Origin: optionalText,
  ServerID: z.number().int().optional(),
  MessageStream: optionalText,
  Tag: optionalText,
  Metadata: metadata,
});

export const PostmarkEventSchema = z.discriminatedUnion('RecordType', [
  PostmarkBounceSchema,
  PostmarkSpamComplaintSchema,
  PostmarkDeliverySchema,
  PostmarkOpenSchema,
  PostmarkClickSchema,
  PostmarkSubscriptionChangeSchema,
]);

export type PostmarkInbound = z.infer<typeof PostmarkInboundSchema>;
export type PostmarkBounce = z.infer<typeof PostmarkBounceSchema>;
export type PostmarkSpamComplaint = z.infer<typeof PostmarkSpamComplaintSchema>;
export type PostmarkDelivery = z.infer<typeof PostmarkDeliverySchema>;
export type PostmarkOpen = z.infer<typeof PostmarkOpenSchema>;
export type PostmarkClick = z.infer<typeof PostmarkClickSchema>;
export type PostmarkSubscriptionChange = z.infer<typeof PostmarkSubscriptionChangeSchema>;

interface ParsedBase {
  /** Unique per provider event; a redelivery of the same event yields the same key. */
  dedupeKey: string;
  /** The Postmark MessageID the event is about (inbound: the inbound message's own id). */
  messageId: string | null;
  /** The lead's address: the inbound sender, the bounced / complaining / tracked recipient. */
  email: string;
}

export type ParsedPostmarkWebhook =
  | (ParsedBase & {
      kind: 'inbound';
      event: PostmarkInbound;
      /** Thread ids from In-Reply-To then References (newest first), angle brackets stripped, deduplicated. */
      inReplyTo: string[];
    })
  | (ParsedBase & { kind: 'bounce'; event: PostmarkBounce })
  | (ParsedBase & { kind: 'spam_complaint'; event: PostmarkSpamComplaint })
  | (ParsedBase & { kind: 'delivery'; event: PostmarkDelivery })
  | (ParsedBase & { kind: 'open'; event: PostmarkOpen })
  | (ParsedBase & { kind: 'click'; event: PostmarkClick })
  | (ParsedBase & { kind: 'subscription_change'; event: PostmarkSubscriptionChange });

export type PostmarkWebhookKind = ParsedPostmarkWebhook['kind'];

/** `<abc@host>` → `abc@host`. */
export function stripAngleBrackets(id: string): string {
  return id.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
}

/** The msg-ids in an In-Reply-To / References header value (whitespace- or comma-separated). */
export function messageIdsFromHeader(value: string): string[] {
  const bracketed = value.match(/<[^<>]+>/g);
  const raw = bracketed ?? value.split(/[\s,]+/);
  return raw.map(stripAngleBrackets).filter((id) => id.length > 0);
}

/** Case-insensitive header lookup (all values of that name, in order). */
export function headerValues(headers: readonly { Name: string; Value: string }[], name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter((h) => h.Name.toLowerCase() === wanted).map((h) => h.Value);
}

function threadIds(event: PostmarkInbound): string[] {
  const inReplyTo = headerValues(event.Headers, 'In-Reply-To').flatMap(messageIdsFromHeader);
  // References lists the thread oldest first; the newest is the likeliest ledger match.
  const references = headerValues(event.Headers, 'References').flatMap(messageIdsFromHeader).reverse();
  return [...new Set([...inReplyTo, ...references])];
}

/** The words of an inbound reply: Postmark's quote-stripped text when it has one, else the full text. */
export function inboundReplyText(event: PostmarkInbound): string {
  const stripped = event.StrippedTextReply?.trim();
  return stripped ? stripped : event.TextBody;
}

const lower = (s: string): string => s.trim().toLowerCase();

/*
 * Dedupe keys (unique per provider in `webhook_events`):
 * - inbound: `inbound:<MessageID>`. Postmark gives each received email one MessageID and re-posts the
 *   same body when our endpoint fails, so a retry dedupes.
 * - Bounce / SpamComplaint: `<RecordType>:<ID>:<BouncedAt>`. The bounce ID is already unique; the
 *   time costs nothing and keeps the key self-describing.
 * - Delivery / Open / Click / SubscriptionChange: `<RecordType>:<MessageID>:<event time>:<recipient>`.
 *   These have no event ID, and one MessageID has many of them: several opens and clicks, a
 *   suppression followed by a reactivation, one delivery per recipient. MessageID alone would
 *   swallow all but the first; the event time (plus recipient) separates distinct events while a
 *   redelivery, which carries the identical body, still maps to the same key.
 */
export function parsePostmarkWebhook(body: unknown): ParsedPostmarkWebhook {
  const isEvent = typeof body === 'object' && body !== null && 'RecordType' in body && (body as { RecordType?: unknown }).RecordType !== 'Inbound';
  if (!isEvent) {
    const event = PostmarkInboundSchema.parse(body);
    return {
      kind: 'inbound',
      event,
      dedupeKey: `inbound:${event.MessageID}`,
      messageId: event.MessageID,
      email: lower(event.FromFull.Email),
      inReplyTo: threadIds(event),
    };
  }
  const event = PostmarkEventSchema.parse(body);
  switch (event.RecordType) {
    case 'Bounce':
      return {
        kind: 'bounce',
        event,
        dedupeKey: `Bounce:${event.ID}:${event.BouncedAt}`,
        messageId: event.MessageID,
        email: lower(event.Email),
      };
    case 'SpamComplaint':
      return {
        kind: 'spam_complaint',
        event,
        dedupeKey: `SpamComplaint:${event.ID}:${event.BouncedAt}`,
        messageId: event.MessageID,
        email: lower(event.Email),
      };
    case 'Delivery':
      return {
        kind: 'delivery',
        event,
        dedupeKey: `Delivery:${event.MessageID}:${event.DeliveredAt}:${lower(event.Recipient)}`,
        messageId: event.MessageID,
        email: lower(event.Recipient),
      };
    case 'Open':
      return {
        kind: 'open',
        event,
        dedupeKey: `Open:${event.MessageID}:${event.ReceivedAt}:${lower(event.Recipient)}`,
        messageId: event.MessageID,
        email: lower(event.Recipient),
      };
    case 'Click':
      return {
        kind: 'click',
        event,
        dedupeKey: `Click:${event.MessageID}:${event.ReceivedAt}:${lower(event.Recipient)}`,
        messageId: event.MessageID,
        email: lower(event.Recipient),
      };
    case 'SubscriptionChange':
      return {
        kind: 'subscription_change',
        event,
        dedupeKey: `SubscriptionChange:${event.MessageID ?? '-'}:${event.ChangedAt}:${lower(event.Recipient)}`,
        messageId: event.MessageID ?? null,
        email: lower(event.Recipient),
      };
  }
}

// Twilio Messaging webhooks, as the form fields Twilio POSTs (application/x-www-form-urlencoded, so
// every value is a string): incoming messages and outbound status callbacks. Objects are loose so
// fields Twilio adds (geo fields, WhatsApp's ProfileName, …) are kept. Signature checks go through
// the official SDK's `validateRequest`, never a hand-rolled HMAC.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { z } from 'zod';

// SM… for SMS, MM… for MMS: two letters and 32 hex digits.
const messageSid = z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'expected a Twilio message SID (SM/MM + 32 hex digits)');
const accountSid = z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected a Twilio account SID (AC + 32 hex digits)');
const digits = z.string().regex(/^\d+$/, 'expected a decimal number');
const optional = z.string().optional();

/** Every documented value of MessageStatus (the brief's queued|sent|delivered|undelivered|failed|read and the rest). */
export const TWILIO_MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'canceled',
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'read',
  'partially_delivered',
] as const;
export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

export const TwilioInboundSmsSchema = z.looseObject({
  MessageSid: messageSid,
  SmsSid: optional,
  SmsMessageSid: optional,
  AccountSid: accountSid,
  MessagingServiceSid: optional,
  From: z.string().min(1),
  To: z.string().min(1),
  // An MMS with only a picture has an empty Body, so empty is allowed but absent is not.
  Body: z.string(),
  NumMedia: digits,
  NumSegments: digits.optional(),
  SmsStatus: optional,
  ApiVersion: optional,
  // Set by Twilio's Advanced Opt-Out when the body matched an opt-out / opt-in / help keyword.
  OptOutType: optional,
  FromCity: optional,
  FromState: optional,
  FromZip: optional,
  FromCountry: optional,
  ToCity: optional,
  ToState: optional,
  ToZip: optional,
  ToCountry: optional,
});

export const TwilioStatusCallbackSchema = z.looseObject({
  MessageSid: messageSid,
  SmsSid: optional,
  AccountSid: accountSid,
  MessagingServiceSid: optional,
  MessageStatus: z.enum(TWILIO_MESSAGE_STATUSES),
  SmsStatus: optional,
  From: optional,
  To: optional,
  ApiVersion: optional,
  // Present on failed / undelivered (e.g. 30003 unreachable, 30007 carrier filtered, 21610 opted out).
  ErrorCode: digits.optional(),
  ErrorMessage: optional,
  RawDlrDoneDate: optional,
});

export type TwilioInboundSms = z.infer<typeof TwilioInboundSmsSchema>;
export type TwilioStatusCallback = z.infer<typeof TwilioStatusCallbackSchema>;

export type ParsedTwilioWebhook =
  | {
      kind: 'inbound';
      event: TwilioInboundSms;
      /** `inbound:<MessageSid>`: one inbound message, however often Twilio retries it. */
      dedupeKey: string;
      /** The SID of this inbound message. */
      messageId: string;
      mediaUrls: string[];
    }
  | {
      kind: 'status';
      event: TwilioStatusCallback;
      /** `status:<MessageSid>:<MessageStatus>`: each transition once; a repeat of one transition dedupes. */
      dedupeKey: string;
      /** The SID of our outbound message (the send ledger's providerMessageId). */
      messageId: string;
    };

export function parseTwilioInboundSms(body: unknown): Extract<ParsedTwilioWebhook, { kind: 'inbound' }> {
  const event = TwilioInboundSmsSchema.parse(body);
  const count = Number(event.NumMedia);
  const record = event as Record<string, unknown>;
  const mediaUrls: string[] = [];
  for (let i = 0; i < count && i < 10; i++) {
    const url = record[`MediaUrl${i}`];
    if (typeof url === 'string' && url.length > 0) mediaUrls.push(url);
  }
  return { kind: 'inbound', event, dedupeKey: `inbound:${event.MessageSid}`, messageId: event.MessageSid, mediaUrls };
}

export function parseTwilioStatusCallback(body: unknown): Extract<ParsedTwilioWebhook, { kind: 'status' }> {
  const event = TwilioStatusCallbackSchema.parse(body);
  return { kind: 'status', event, dedupeKey: `status:${event.MessageSid}:${event.MessageStatus}`, messageId: event.MessageSid };
}

/**
 * One endpoint for both: a status callback carries MessageStatus, an incoming message does not
 * (it has SmsStatus=received). A MessageStatus of "received" is treated as an incoming message.
 * Throws a ZodError naming the offending field.
 */
export function parseTwilioWebhook(body: unknown): ParsedTwilioWebhook {
  const status = typeof body === 'object' && body !== null ? (body as { MessageStatus?: unknown }).MessageStatus : undefined;
  return status !== undefined && status !== 'received' ? parseTwilioStatusCallback(body) : parseTwilioInboundSms(body);
}

/**
 * True when `signature` (the X-Twilio-Signature header) matches what Twilio computes for this full
 * URL (scheme, host, port, path and query exactly as Twilio requested it) and these POST params.
 * Never throws: a missing or junk header is simply not valid.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[] | undefined>,
  signature: string | undefined | null,
): boolean {
  if (!authToken || !url || typeof signature !== 'string' || signature.length === 0) return false;
  // Twilio signs only the fields it sent; an undefined entry would be hashed as the text "undefined".
  const sent = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  try {
    return validateRequest(authToken, signature, url, sent);
  } catch {
    // The SDK throws on a malformed URL or signature: that is a signature that does not verify.
    return false;
  }
}

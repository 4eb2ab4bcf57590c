// Inbox row → provider-neutral event. Each provider's stored payload is parsed again with the same
// schema the route used, so a row written by the webhook and one fetched by the recovery sweep are
// read the same way.
import { parseHeyReachWebhook } from '../../integrations/heyreach/webhook-schema';
import { headerValues, inboundReplyText, parsePostmarkWebhook, type ParsedPostmarkWebhook } from '../../integrations/postmark/webhook-schema';
import { parseTwilioWebhook, type ParsedTwilioWebhook } from '../../integrations/twilio/webhook-schema';
import { parseVapiWebhook } from '../../integrations/vapi/webhook-schema';
import { smsKeyword, type SmsKeywordKind } from '../compliance/sms-keywords';
import { UnsubscribeEventSchema } from './unsubscribe-event';
import type { InboundEvent, MatchHints } from './events';

// Postmark bounce types that mean the address will never accept mail (Inactive covers the rest:
// Postmark deactivates an address after a hard bounce or a complaint).
const HARD_BOUNCE_TYPES = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const TWILIO_OPTED_OUT = '21610';

function when(value: string | number | null | undefined, fallback: Date): Date {
  if (value === null || value === undefined || value === '') return fallback;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? fallback : at;
}

function postmarkNamed(metadata: Record<string, string> | null | undefined): MatchHints['named'] {
  if (!metadata?.lead_id && !metadata?.client_id) return undefined;
  return { leadId: metadata.lead_id, clientId: metadata.client_id };
}

function fromPostmark(p: ParsedPostmarkWebhook, receivedAt: Date): InboundEvent {
  switch (p.kind) {
    case 'inbound': {
      // Postmark's own Message-IDs look like `<uuid@mtasv.net>`: the local part is its MessageID.
      const localParts = p.inReplyTo.map((id) => id.split('@')[0]).filter((s) => s.length > 0);
      return {
        type: 'reply',
        channel: 'email',
        text: inboundReplyText(p.event),
        subject: p.event.Subject,
        occurredAt: when(p.event.Date, receivedAt),
        match: { threadIds: p.inReplyTo, messageIds: localParts, email: p.email },
        detail: { providerMessageId: p.event.MessageID, subject: p.event.Subject.slice(0, 300) },
        sender: {
          from: p.email,
          receivedSpf: headerValues(p.event.Headers, 'Received-SPF'),
          authenticationResults: headerValues(p.event.Headers, 'Authentication-Results'),
        },
      };
    }
    case 'bounce': {
      const e = p.event;
      const base = {
        channel: 'email' as const,
        occurredAt: when(e.BouncedAt, receivedAt),
        match: { messageIds: [e.MessageID], named: postmarkNamed(e.Metadata), email: p.email },
        detail: { providerMessageId: e.MessageID, bounceType: e.Type, bounceId: e.ID, description: e.Description.slice(0, 300) },
      };
      if (e.Type === 'Unsubscribe') return { ...base, type: 'unsubscribe', source: 'postmark_bounce_unsubscribe' };
      if (HARD_BOUNCE_TYPES.has(e.Type) || e.Inactive) return { ...base, type: 'bounce' };
      return { ...base, type: 'tracking', action: 'soft_bounced' };
    }
    case 'spam_complaint':
      return {
        type: 'complaint',
        channel: 'email',
        occurredAt: when(p.event.BouncedAt, receivedAt),
        match: { messageIds: [p.event.MessageID], named: postmarkNamed(p.event.Metadata), email: p.email },
        detail: { providerMessageId: p.event.MessageID },
      };
    case 'delivery':
    case 'open':
    case 'click': {
      const e = p.event;
      const at = e.RecordType === 'Delivery' ? e.DeliveredAt : e.ReceivedAt;
      const action = p.kind === 'delivery' ? 'delivered' : p.kind === 'open' ? 'opened' : 'clicked';
      return {
        type: 'tracking',
        action,
        channel: 'email',
        occurredAt: when(at, receivedAt),
        match: { messageIds: [e.MessageID], named: postmarkNamed(e.Metadata), email: p.email },
        detail: { providerMessageId: e.MessageID, ...(e.RecordType === 'Click' ? { link: e.OriginalLink.slice(0, 500) } : {}) },
      };
    }
    case 'subscription_change': {
      const e = p.event;
      const base = {
        channel: 'email' as const,
        occurredAt: when(e.ChangedAt, receivedAt),
        match: { messageIds: e.MessageID ? [e.MessageID] : [], named: postmarkNamed(e.Metadata), email: p.email },
        detail: { providerMessageId: e.MessageID ?? null, suppressionReason: e.SuppressionReason ?? null, origin: e.Origin ?? null },
      };
      if (!e.SuppressSending) return { ...base, type: 'tracking', action: 'resubscribed' };
      if (e.SuppressionReason === 'HardBounce') return { ...base, type: 'bounce' };
      if (e.SuppressionReason === 'SpamComplaint') return { ...base, type: 'complaint' };
      return { ...base, type: 'unsubscribe', source: 'postmark_subscription_change' };
    }
  }
}

const OPT_OUT_TYPES: Record<string, SmsKeywordKind> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

function fromTwilio(p: ParsedTwilioWebhook, receivedAt: Date): InboundEvent {
  if (p.kind === 'inbound') {
    const e = p.event;
    const match = { phone: e.From, ourAddress: e.To };
    const detail = { providerMessageId: e.MessageSid };
    // Twilio's Advanced Opt-Out names the keyword class it matched; otherwise match it ourselves.
    const keyword = (e.OptOutType ? OPT_OUT_TYPES[e.OptOutType.toUpperCase()] : undefined) ?? smsKeyword(e.Body);
    if (keyword === 'opt_out') return { type: 'unsubscribe', source: 'sms_stop', channel: 'sms', occurredAt: receivedAt, match, detail };
    if (keyword === 'opt_in') return { type: 'tracking', action: 'resubscribed', channel: 'sms', occurredAt: receivedAt, match, detail };
    if (keyword === 'help') return { type: 'tracking', action: 'sms_help', channel: 'sms', occurredAt: receivedAt, match, detail };
    const text = e.Body.trim() || (p.mediaUrls.length > 0 ? '[media message]' : '');
    return { type: 'reply', channel: 'sms', text, occurredAt: receivedAt, match, detail: { ...detail, media: p.mediaUrls.length } };
  }
  const e = p.event;
  const base = {
    channel: 'sms' as const,
    occurredAt: receivedAt,
    match: { messageIds: [e.MessageSid], phone: e.To, ourAddress: e.From },
    detail: { providerMessageId: e.MessageSid, status: e.MessageStatus, errorCode: e.ErrorCode ?? null },
  };
  switch (e.MessageStatus) {
    case 'delivered':
      return { ...base, type: 'tracking', action: 'delivered' };
    case 'read':
      return { ...base, type: 'tracking', action: 'read' };
    case 'failed':
    case 'undelivered':
      // 21610: the recipient had replied STOP to this sender; carriers keep that even if we missed it.
      if (e.ErrorCode === TWILIO_OPTED_OUT) return { ...base, type: 'unsubscribe', source: 'sms_opted_out' };
      return { ...base, type: 'tracking', action: 'undelivered' };
    default:
      return { type: 'ignore', reason: `status ${e.MessageStatus} needs no action` };
  }
}

/** Customer lines of a Vapi transcript ("User: …" / "Customer: …"): what the lead said. */
function customerWords(transcript: string | undefined): string {
  if (!transcript) return '';
  return transcript
    .split(/\r?\n/)
    .map((l) => /^\s*(?:user|customer)\s*:\s*(.*)$/i.exec(l)?.[1]?.trim() ?? '')
    .filter((l) => l.length > 0)
    .join('\n');
}

export function normalizeInboxEvent(provider: string, payload: unknown, receivedAt: Date): InboundEvent {
  switch (provider) {
    case 'postmark':
      return fromPostmark(parsePostmarkWebhook(payload), receivedAt);
    case 'twilio':
      return fromTwilio(parseTwilioWebhook(payload), receivedAt);
    case 'heyreach': {
      const e = parseHeyReachWebhook(payload);
      if (e.kind === 'other') return { type: 'ignore', reason: `HeyReach ${e.eventType} needs no action` };
      const match = { linkedinUrl: e.lead.profileUrl, email: e.lead.email };
      const occurredAt = when(e.kind === 'message_reply' ? (e.message.sentAt ?? e.occurredAt) : e.occurredAt, receivedAt);
      const detail = { eventType: e.eventType, conversationId: e.conversationId ?? null };
      if (e.kind === 'connection_accepted') return { type: 'tracking', action: 'connection_accepted', channel: 'linkedin', occurredAt, match, detail };
      return { type: 'reply', channel: 'linkedin', text: e.message.text, occurredAt, match, detail };
    }
    case 'vapi': {
      const e = parseVapiWebhook(payload);
      if (e.kind !== 'end_of_call_report') return { type: 'ignore', reason: `Vapi ${e.kind === 'other' ? e.type : 'status-update'} needs no action` };
      const match = { idempotencyKey: e.idempotencyKey, phone: e.customerNumber };
      const occurredAt = when(e.event.endedAt ?? e.event.timestamp, receivedAt);
      const detail = { callId: e.callId, endedReason: e.endedReason, summary: e.summary?.slice(0, 1000) ?? null };
      const said = customerWords(e.transcript);
      // A call the lead actually spoke on is a reply; voicemail, no answer or busy only ends the call.
      if (said.length > 0) return { type: 'reply', channel: 'voice', text: said, occurredAt, match, detail };
      return { type: 'tracking', action: 'call_ended', channel: 'voice', occurredAt, match, detail };
    }
    case 'unsubscribe': {
      const e = UnsubscribeEventSchema.parse(payload);
      return {
        type: 'unsubscribe',
        source: e.source,
        channel: e.channel,
        occurredAt: receivedAt,
        match: { named: { leadId: e.leadId, clientId: e.clientId }, namedIsSigned: true },
        detail: { campaignId: e.campaignId ?? null, source: e.source },
      };
    }
    default:
      return { type: 'ignore', reason: `unknown provider ${provider}` };
  }
}

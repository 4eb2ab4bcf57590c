// What an inbox row means, whatever provider sent it: the provider-neutral event the reply engine
// matches to a lead and turns into effects.
import type { Channel } from '../../db/client';
import type { InboundHeaders } from './sender-auth';

export const INBOX_PROVIDERS = ['postmark', 'twilio', 'heyreach', 'vapi', 'unsubscribe'] as const;
export type InboxProvider = (typeof INBOX_PROVIDERS)[number];

/** How to find the lead an event is about, strongest first. */
export interface MatchHints {
  /** Provider message ids of our sends (send_ledger.providerMessageId). */
  messageIds?: string[];
  /** RFC 5322 Message-IDs from In-Reply-To / References, without angle brackets (send_ledger.threadId). */
  threadIds?: string[];
  /** Our send idempotency key echoed back by the provider. */
  idempotencyKey?: string;
  /** Lead and client named by us (provider metadata, a signed unsubscribe token). */
  named?: { leadId?: string; clientId?: string };
  /** Trusted when true (a signed token): no contact check against the lead. */
  namedIsSigned?: boolean;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  /** Our address the message was sent to (SMS: our number), to pick the tenant that owns it. */
  ourAddress?: string;
}

/** Lead actions recorded as Activity rows for events that need no more than a record. */
export type TrackingAction =
  'delivered' | 'opened' | 'clicked' | 'undelivered' | 'read' | 'soft_bounced' | 'sms_help' | 'resubscribed' | 'connection_accepted' | 'call_ended';

interface Base {
  channel: Channel;
  match: MatchHints;
  /** When it happened (provider time where given, else when we received it). */
  occurredAt: Date;
  /** Small, non-secret details kept on the Activity row. */
  detail?: Record<string, unknown>;
}

export type InboundEvent =
  | (Base & {
      type: 'reply';
      text: string;
      subject?: string;
      /** Email: the headers that say whether the sender is who From says (see sender-auth.ts). */
      sender?: InboundHeaders;
    })
  | (Base & { type: 'bounce' })
  | (Base & { type: 'complaint' })
  | (Base & { type: 'unsubscribe'; source: string })
  | (Base & { type: 'tracking'; action: TrackingAction })
  | { type: 'ignore'; reason: string };

export type MatchableEvent = Exclude<InboundEvent, { type: 'ignore' }>;

// The outbound channel interface. One class per provider implements it (email: Postmark; SMS:
// Twilio; LinkedIn: HeyReach; voice: Vapi; direct mail: ClickSend), each with a sandbox twin that
// records instead of sending. Engines and activities depend on this file only, never on an SDK.

import type { Channel } from '../shared/domain/channels';

export type ChannelName = Channel;

export interface Recipient {
  name?: string;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  /** Direct mail: the address as printed, one line each. */
  postalAddress?: string;
  /** Direct mail: the same address, structured (validated per country); drivers prefer it. */
  postal?: { line1: string; line2?: string; city: string; state?: string; postalCode?: string; country: string };
}

export interface Sender {
  name: string;
  email?: string;
  phone?: string;
  /** LinkedIn seat / voice number / sending domain: the send resource's identifier. */
  resource?: string;
}

export interface OutboundMessage {
  channel: ChannelName;
  clientId: string;
  /** `<workflowId>:touch:<n>`: sent to the provider as metadata so a retry can be matched. */
  idempotencyKey: string;
  to: Recipient;
  from: Sender;
  subject?: string;
  text: string;
  html?: string;
  /** Email only: In-Reply-To / References, List-Unsubscribe, … */
  headers?: Record<string, string>;
  /** Provider-side tags/metadata (strings only, as most providers require). */
  metadata: Record<string, string>;
  /**
   * Email only: a service message to one person about their account (an invitation), not outreach:
   * it carries no List-Unsubscribe, which every outreach email must.
   */
  transactional?: boolean;
}

export interface SendResult {
  providerMessageId: string;
  /** Email: the RFC 5322 Message-ID used to thread follow-ups. */
  threadId?: string;
}

export interface ChannelProvider {
  readonly channel: ChannelName;
  readonly provider: string;
  readonly sandbox: boolean;
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Asks the provider whether this message (same idempotency key) was already accepted, after a
   * crash between the provider call and the ledger update. `since` is when the ledger reserved
   * the send. Null when it was not, or when the provider cannot tell (the ledger decides then).
   */
  findSent?(message: OutboundMessage, since: Date): Promise<SendResult | null>;
}

/** A non-retryable provider rejection (bad address, blocked recipient): retrying cannot help. */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    readonly providerCode?: string | number,
  ) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** What a sandbox driver records (the `sandbox_outbox` table via the given recorder). */
export interface SandboxRecord {
  clientId: string;
  channel: ChannelName;
  provider: string;
  recipient: string;
  providerMessageId: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
}

export interface SandboxRecorder {
  record(r: SandboxRecord): Promise<void>;
  find(idempotencyKey: string, clientId: string): Promise<SandboxRecord | null>;
}

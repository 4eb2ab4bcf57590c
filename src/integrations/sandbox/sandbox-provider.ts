// The offline twin of every channel driver: validates a touch as the real driver would, then records
// it instead of sending. Ids derive from the idempotency key, so a repeated send records (and
// returns) the same message, and findSent answers from the recorder.
import { createHash } from 'node:crypto';
import type { ChannelName, ChannelProvider, OutboundMessage, SandboxRecord, SandboxRecorder, SendResult } from '../channels';
import { mailRecipient } from '../clicksend/mail-provider';
import { linkedinRecipient } from '../heyreach/linkedin-provider';
import { emailHeaders, emailRecipient } from '../postmark/email-provider';
import { phoneRecipient } from '../twilio/sms-provider';

const SANDBOX_MAIL_DOMAIN = 'sandbox.agency-os.local';

const digest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 24);

/** `sandbox-<24 hex>`: the provider message id a sandbox send of this key gets. */
export function sandboxMessageId(idempotencyKey: string): string {
  return `sandbox-${digest(idempotencyKey)}`;
}

/** The Message-ID a sandbox email of this key gets, for threading follow-ups. */
export function sandboxThreadId(idempotencyKey: string): string {
  return `<${digest(idempotencyKey)}@${SANDBOX_MAIL_DOMAIN}>`;
}

/** Validates the recipient as the channel's real driver does; returns it as recorded. */
function recipientOf(message: OutboundMessage): string {
  switch (message.channel) {
    case 'email':
      return emailRecipient(message);
    case 'sms':
    case 'voice':
      return phoneRecipient(message);
    case 'linkedin':
      return linkedinRecipient(message);
    case 'mail': {
      mailRecipient(message);
      return message.to.postalAddress!.replace(/\s*\r?\n\s*/g, ', ');
    }
  }
}

export class SandboxChannelProvider implements ChannelProvider {
  readonly sandbox = true;

  constructor(
    readonly channel: ChannelName,
    readonly provider: string,
    private readonly recorder: SandboxRecorder,
  ) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== this.channel) {
      throw new Error(`${this.channel} sandbox was given a ${message.channel} touch`);
    }
    const recipient = recipientOf(message);
    const threadId = this.channel === 'email' ? sandboxThreadId(message.idempotencyKey) : undefined;
    // Email: the compliance headers the real driver would send (and refuses to send without).
    const headers = threadId ? emailHeaders(message, threadId) : message.headers;
    const providerMessageId = sandboxMessageId(message.idempotencyKey);
    await this.recorder.record({
      clientId: message.clientId,
      channel: this.channel,
      provider: this.provider,
      recipient,
      providerMessageId,
      idempotencyKey: message.idempotencyKey,
      payload: {
        idempotencyKey: message.idempotencyKey,
        to: message.to,
        from: message.from,
        ...(message.subject !== undefined ? { subject: message.subject } : {}),
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(headers ? { headers } : {}),
        metadata: message.metadata,
        ...(threadId ? { threadId } : {}),
      },
    });
    return threadId ? { providerMessageId, threadId } : { providerMessageId };
  }

  async findSent(message: OutboundMessage, _since: Date): Promise<SendResult | null> {
    const found = await this.recorder.find(message.idempotencyKey, message.clientId);
    if (!found) return null;
    const threadId = found.payload.threadId;
    return typeof threadId === 'string' ? { providerMessageId: found.providerMessageId, threadId } : { providerMessageId: found.providerMessageId };
  }
}

/** A recorder in memory, for tests and benchmarks that do not need the database. */
export class MemorySandboxRecorder implements SandboxRecorder {
  readonly records: SandboxRecord[] = [];

  async record(r: SandboxRecord): Promise<void> {
    if (!this.records.some((x) => x.providerMessageId === r.providerMessageId)) this.records.push(r);
  }

  async find(idempotencyKey: string, clientId: string): Promise<SandboxRecord | null> {
    return this.records.find((r) => r.idempotencyKey === idempotencyKey && r.clientId === clientId) ?? null;
  }
}

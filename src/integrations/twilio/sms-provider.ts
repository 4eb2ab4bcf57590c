// SMS through Twilio's official SDK. The base URL is swapped on the SDK's `api` domain (a public
// property), so every request, pagination included, goes to TWILIO_BASE_URL when it is set.
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import { PermanentSendError, type ChannelProvider, type OutboundMessage, type SendResult } from '../channels';

const E164_RE = /^\+[1-9]\d{6,14}$/;
// Twilio error codes that mean this recipient or this content can never be sent as-is. Account and
// configuration codes (auth, unverified sender) stay retryable: an operator can fix them.
const PERMANENT_CODES = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21217, // phone number does not appear to be valid
  21401, // invalid phone number
  21407, // number type does not support SMS
  21421, // PhoneNumber is invalid
  21602, // message body is required
  21610, // recipient replied STOP (unsubscribed)
  21612, // 'To' number cannot be reached via this 'From'
  21614, // 'To' is not a valid mobile number
  21617, // body exceeds 1600 characters
]);
// A retry may ask within seconds of the create; allow for clock skew between us and Twilio.
const CLOCK_SKEW_MS = 5 * 60_000;

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** e.g. `http://127.0.0.1:4011`. Default https://api.twilio.com. */
  baseUrl?: string;
  /** Where Twilio posts delivery status updates. */
  statusCallbackUrl?: string;
  timeoutMs?: number;
}

/** The E.164 number of an SMS/voice touch; a touch without one can never be sent. */
export function phoneRecipient(message: OutboundMessage): string {
  const phone = message.to.phone?.replace(/[\s()-]/g, '');
  if (!phone || !E164_RE.test(phone)) {
    throw new PermanentSendError(`${message.channel} touch has no valid E.164 recipient number`, 'invalid_recipient');
  }
  return phone;
}

/** The sending number (or Messaging Service SID `MG…`): the send resource, else the sender's phone. */
export function smsSender(message: OutboundMessage): string {
  const from = (message.from.resource ?? message.from.phone)?.trim();
  if (!from) throw new Error('SMS sender has no number (send resource misconfigured)');
  return from;
}

/** Twilio's rejection of this message → PermanentSendError; throttling, outages, network → Error. */
export function mapTwilioError(err: unknown): Error {
  if (err instanceof twilio.RestException) {
    if (err.code !== undefined && PERMANENT_CODES.has(err.code)) {
      return new PermanentSendError(`Twilio rejected the SMS (${err.code}): ${err.message}`, err.code);
    }
    return new Error(`Twilio send failed (HTTP ${err.status}, code ${err.code ?? 'none'}): ${err.message}`, { cause: err });
  }
  if (err instanceof Error) return new Error(`Twilio request failed: ${err.message}`, { cause: err });
  return new Error(String(err));
}

export class TwilioSmsProvider implements ChannelProvider {
  readonly channel = 'sms' as const;
  readonly provider = 'twilio';
  readonly sandbox = false;
  private readonly client: twilio.Twilio;
  private readonly statusCallbackUrl?: string;

  constructor(opts: TwilioSmsOptions) {
    this.client = twilio(opts.accountSid, opts.authToken, { timeout: opts.timeoutMs ?? 30_000, autoRetry: false });
    if (opts.baseUrl) this.client.api.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.statusCallbackUrl = opts.statusCallbackUrl;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const to = phoneRecipient(message);
    const from = smsSender(message);
    try {
      const created = await this.client.messages.create({
        to,
        body: message.text,
        ...(from.startsWith('MG') ? { messagingServiceSid: from } : { from }),
        ...(this.statusCallbackUrl ? { statusCallback: this.statusCallbackUrl } : {}),
      });
      return { providerMessageId: created.sid };
    } catch (err) {
      throw mapTwilioError(err);
    }
  }

  /**
   * Twilio keeps no metadata on a message, so a sent touch is recognised by recipient, sender, body
   * and creation time. The list is not filtered by DateSent: a queued message has no date_sent yet,
   * which is exactly the case after a crash right behind the create call.
   */
  async findSent(message: OutboundMessage, since: Date): Promise<SendResult | null> {
    const to = phoneRecipient(message);
    const from = smsSender(message);
    let recent: MessageInstance[];
    try {
      recent = await this.client.messages.list({
        to,
        ...(from.startsWith('MG') ? {} : { from }),
        limit: 50,
        pageSize: 50,
      });
    } catch (err) {
      throw new Error(`Twilio message search failed: ${mapTwilioError(err).message}`, { cause: err });
    }
    const cutoff = since.getTime() - CLOCK_SKEW_MS;
    const hit = recent.find(
      (m) =>
        m.direction !== 'inbound' &&
        m.dateCreated.getTime() >= cutoff &&
        // Twilio may append opt-out text to the body we sent.
        (m.body === message.text || m.body.startsWith(message.text)),
    );
    return hit ? { providerMessageId: hit.sid } : null;
  }
}

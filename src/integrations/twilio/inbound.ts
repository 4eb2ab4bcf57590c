// Inbound SMS Twilio received on our numbers, asked for directly (the reply-recovery sweep uses it
// to find replies whose webhook never reached us): `messages.list({to, dateSentAfter})` through the
// official SDK, returned in the form fields Twilio's incoming-message webhook posts, so the inbox
// reads them the same way. The sandbox twin serves messages added to it.
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import type { Config } from '../../config';
import { mapTwilioError } from './sms-provider';

export interface InboundSms {
  /** As Twilio's incoming-message webhook posts it (MessageSid, AccountSid, From, To, Body, NumMedia…). */
  fields: Record<string, string>;
  sentAt: Date;
}

export interface InboundSmsSource {
  readonly sandbox: boolean;
  /** Incoming messages to any of `to` sent at or after `since`, at most `limit` per number. */
  listInbound(a: { to: string[]; since: Date; limit?: number }): Promise<InboundSms[]>;
}

const DEFAULT_LIMIT = 200;

export function webhookFields(
  m: Pick<MessageInstance, 'sid' | 'accountSid' | 'from' | 'to' | 'body' | 'numMedia' | 'numSegments' | 'messagingServiceSid' | 'apiVersion'>,
): Record<string, string> {
  return {
    MessageSid: m.sid,
    SmsSid: m.sid,
    SmsMessageSid: m.sid,
    AccountSid: m.accountSid,
    From: m.from,
    To: m.to,
    Body: m.body ?? '',
    NumMedia: m.numMedia ?? '0',
    NumSegments: m.numSegments ?? '1',
    SmsStatus: 'received',
    ApiVersion: m.apiVersion ?? '2010-04-01',
    ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
  };
}

export class TwilioInboundSource implements InboundSmsSource {
  readonly sandbox = false;
  private readonly client: twilio.Twilio;

  constructor(opts: { accountSid: string; authToken: string; baseUrl?: string; timeoutMs?: number }) {
    this.client = twilio(opts.accountSid, opts.authToken, { timeout: opts.timeoutMs ?? 30_000, autoRetry: false });
    if (opts.baseUrl) this.client.api.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  async listInbound(a: { to: string[]; since: Date; limit?: number }): Promise<InboundSms[]> {
    const limit = a.limit ?? DEFAULT_LIMIT;
    const out: InboundSms[] = [];
    for (const to of new Set(a.to)) {
      let messages: MessageInstance[];
      try {
        messages = await this.client.messages.list({ to, dateSentAfter: a.since, limit, pageSize: Math.min(limit, 1000) });
      } catch (err) {
        throw new Error(`Twilio inbound list for ${to} failed: ${mapTwilioError(err).message}`, { cause: err });
      }
      for (const m of messages) {
        if (m.direction !== 'inbound') continue;
        out.push({ fields: webhookFields(m), sentAt: m.dateSent ?? m.dateCreated });
      }
    }
    return out;
  }
}

/** Offline twin: serves what was added to it (demo data, tests). */
export class SandboxInboundSmsSource implements InboundSmsSource {
  readonly sandbox = true;
  private readonly messages: InboundSms[] = [];

  add(message: InboundSms): void {
    this.messages.push(message);
  }

  async listInbound(a: { to: string[]; since: Date; limit?: number }): Promise<InboundSms[]> {
    const to = new Set(a.to);
    return this.messages.filter((m) => to.has(m.fields.To) && m.sentAt.getTime() >= a.since.getTime()).slice(0, (a.limit ?? DEFAULT_LIMIT) * to.size);
  }
}

export function inboundSmsSource(config: Pick<Config, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_BASE_URL'>): InboundSmsSource {
  return config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
    ? new TwilioInboundSource({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, baseUrl: config.TWILIO_BASE_URL })
    : new SandboxInboundSmsSource();
}

// Inbound email Postmark received, asked for directly (the reply-recovery sweep uses it to find
// replies whose webhook never reached us): the Messages API's inbound search (`GET /messages/inbound`
// with count, offset, fromdate) and message details, through the official SDK. The sandbox twin
// serves messages added to it, so the sweep runs the same way offline.
import { ServerClient } from 'postmark';
import type { Config } from '../../config';
import { mapPostmarkError, POSTMARK_DEFAULT_BASE_URL } from './email-provider';

export interface InboundEmailSummary {
  messageId: string;
  from: string;
  /** The message's Date header (Postmark's search has no separate receive time). */
  date: Date;
  status: string;
}

export interface InboundEmailSource {
  readonly sandbox: boolean;
  /** Inbound messages dated at or after `since`, newest first, at most `limit`. */
  listInbound(since: Date, opts?: { limit?: number }): Promise<InboundEmailSummary[]>;
  /** The full message in the shape Postmark's inbound webhook posts. */
  getInbound(messageId: string): Promise<Record<string, unknown>>;
}

const PAGE_SIZE = 100;
const DEFAULT_LIMIT = 500;

/** Postmark reads `fromdate` in US Eastern time, without a zone: `2026-04-01T09:30:00`. */
export function postmarkEasternTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

function parseDate(value: string | undefined): Date {
  const at = value ? new Date(value) : new Date(NaN);
  return Number.isNaN(at.getTime()) ? new Date(0) : at;
}

export class PostmarkInboundSource implements InboundEmailSource {
  readonly sandbox = false;
  private readonly client: ServerClient;

  constructor(opts: { serverToken: string; baseUrl?: string; timeoutSeconds?: number }) {
    const url = new URL(opts.baseUrl ?? POSTMARK_DEFAULT_BASE_URL);
    this.client = new ServerClient(opts.serverToken, {
      useHttps: url.protocol === 'https:',
      requestHost: `${url.host}${url.pathname.replace(/\/+$/, '')}`,
      timeout: opts.timeoutSeconds ?? 30,
    });
  }

  async listInbound(since: Date, opts: { limit?: number } = {}): Promise<InboundEmailSummary[]> {
    const limit = opts.limit ?? DEFAULT_LIMIT;
    const out: InboundEmailSummary[] = [];
    for (let offset = 0; out.length < limit; offset += PAGE_SIZE) {
      const count = Math.min(PAGE_SIZE, limit - out.length);
      // `fromdate` is Postmark's query parameter name; the SDK passes filter keys through as given.
      const filter = { count, offset, fromdate: postmarkEasternTime(since) };
      let page;
      try {
        page = await this.client.getInboundMessages(filter as Parameters<ServerClient['getInboundMessages']>[0]);
      } catch (err) {
        throw new Error(`Postmark inbound search failed: ${mapPostmarkError(err).message}`, { cause: err });
      }
      for (const m of page.InboundMessages) out.push({ messageId: m.MessageID, from: m.From, date: parseDate(m.Date), status: m.Status });
      if (page.InboundMessages.length < count) break;
    }
    return out;
  }

  async getInbound(messageId: string): Promise<Record<string, unknown>> {
    try {
      return { ...(await this.client.getInboundMessageDetails(messageId)) };
    } catch (err) {
      throw new Error(`Postmark inbound message ${messageId} could not be read: ${mapPostmarkError(err).message}`, { cause: err });
    }
  }
}

/** Offline twin: serves what was added to it (demo data, tests). */
export class SandboxInboundEmailSource implements InboundEmailSource {
  readonly sandbox = true;
  private readonly messages = new Map<string, Record<string, unknown>>();

  /** Adds a message in Postmark's inbound webhook shape (needs MessageID and Date). */
  add(message: Record<string, unknown>): void {
    this.messages.set(String(message.MessageID), message);
  }

  async listInbound(since: Date, opts: { limit?: number } = {}): Promise<InboundEmailSummary[]> {
    return [...this.messages.values()]
      .map((m) => ({ messageId: String(m.MessageID), from: String(m.From ?? ''), date: parseDate(m.Date as string | undefined), status: 'Processed' }))
      .filter((m) => m.date.getTime() >= since.getTime())
      .sort((a, b) => b.date.getTime() - a.date.getTime())
      .slice(0, opts.limit ?? DEFAULT_LIMIT);
  }

  async getInbound(messageId: string): Promise<Record<string, unknown>> {
    const m = this.messages.get(messageId);
    if (!m) throw new Error(`sandbox inbound message ${messageId} not found`);
    return m;
  }
}

export function inboundEmailSource(config: Pick<Config, 'POSTMARK_SERVER_TOKEN' | 'POSTMARK_BASE_URL'>): InboundEmailSource {
  return config.POSTMARK_SERVER_TOKEN
    ? new PostmarkInboundSource({ serverToken: config.POSTMARK_SERVER_TOKEN, baseUrl: config.POSTMARK_BASE_URL })
    : new SandboxInboundEmailSource();
}

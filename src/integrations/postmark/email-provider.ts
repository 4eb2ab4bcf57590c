// Email through Postmark's official SDK. The Message-ID header is ours, derived from the idempotency
// key, so follow-ups can thread on it and a retry after a crash can rebuild it from the key alone.
import { createHash } from 'node:crypto';
import { Errors, ServerClient } from 'postmark';
import { PermanentSendError, type ChannelProvider, type OutboundMessage, type SendResult } from '../channels';

export const POSTMARK_DEFAULT_BASE_URL = 'https://api.postmarkapp.com';
/** Metadata field carrying the idempotency key; Messages API searches it as `metadata_idempotency_key`. */
export const IDEMPOTENCY_METADATA_KEY = 'idempotency_key';
// Postmark caps metadata values (80 characters, as far as its docs say); longer keys go as a digest.
const MAX_METADATA_VALUE = 80;
// 422 codes that are about our account or sender setup, not this message: an operator can fix them,
// after which Temporal's retry sends the touch instead of dropping it.
const ACCOUNT_ERROR_CODES = new Set([10, 400, 401, 405, 412, 413]);
const EMAIL_RE = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export interface PostmarkEmailOptions {
  serverToken: string;
  /** e.g. `http://127.0.0.1:4010`; a path prefix is kept. Default https://api.postmarkapp.com. */
  baseUrl?: string;
  messageStream?: string;
  trackOpens?: boolean;
  timeoutSeconds?: number;
}

/** The recipient address of an email touch; a touch without a usable one can never be sent. */
export function emailRecipient(message: OutboundMessage): string {
  const email = message.to.email?.trim();
  if (!email || !EMAIL_RE.test(email)) {
    throw new PermanentSendError('email touch has no valid recipient email address', 'invalid_recipient');
  }
  return email;
}

/** The sender address; missing means misconfiguration (retryable once fixed), not a bad recipient. */
export function emailSender(message: OutboundMessage): string {
  const email = message.from.email?.trim();
  if (!email || !EMAIL_RE.test(email)) throw new Error('email sender has no valid from address (send resource misconfigured)');
  return email;
}

/** `<hash@sending-domain>`: stable for one idempotency key, unique across keys. */
export function emailMessageId(message: OutboundMessage): string {
  const domain = emailSender(message).split('@')[1].toLowerCase();
  const digest = createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 32);
  return `<${digest}@${domain}>`;
}

/** The key as stored in Postmark metadata (a digest when it exceeds Postmark's value limit). */
export function idempotencyMetadataValue(idempotencyKey: string): string {
  if (idempotencyKey.length <= MAX_METADATA_VALUE) return idempotencyKey;
  return `sha256:${createHash('sha256').update(idempotencyKey).digest('hex')}`;
}

/**
 * The headers every outgoing email carries. Refuses an email without List-Unsubscribe (one-click
 * unsubscribe is required on every email but a transactional one, see OutboundMessage) and adds RFC 8058's List-Unsubscribe-Post when the
 * header offers an https URI. A caller's Message-ID is replaced by `messageId`.
 */
export function emailHeaders(message: OutboundMessage, messageId: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (name.toLowerCase() !== 'message-id') headers[name] = value;
  }
  const find = (name: string) => Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const unsubscribe = find('List-Unsubscribe');
  if ((!unsubscribe || headers[unsubscribe].trim() === '') && !message.transactional) {
    throw new PermanentSendError('email refused: no List-Unsubscribe header (compliance)', 'missing_list_unsubscribe');
  }
  if (unsubscribe && !find('List-Unsubscribe-Post') && /<https:\/\//i.test(headers[unsubscribe])) {
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  headers['Message-ID'] = messageId;
  return headers;
}

/** `Name <email>`, quoting the name when it holds characters RFC 5322 only allows quoted. */
export function formatAddress(name: string | undefined, email: string): string {
  const n = name?.replace(/[\r\n]+/g, ' ').trim();
  if (!n) return email;
  if (/^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]+$/.test(n)) return `${n} <${email}>`;
  return `"${n.replace(/["\\]/g, '\\$&')}" <${email}>`;
}

function clientOptions(baseUrl: string, timeoutSeconds: number) {
  const url = new URL(baseUrl);
  // The SDK builds `${useHttps ? 'https' : 'http'}://${requestHost}${path}`, so host may carry a prefix.
  return {
    useHttps: url.protocol === 'https:',
    requestHost: `${url.host}${url.pathname.replace(/\/+$/, '')}`,
    timeout: timeoutSeconds,
  };
}

/** Postmark's rejection of this message → PermanentSendError; throttling, outages, network → Error. */
export function mapPostmarkError(err: unknown): Error {
  if (err instanceof Errors.PostmarkError) {
    const { code, statusCode } = err;
    if (statusCode === 422 && !ACCOUNT_ERROR_CODES.has(code)) {
      return new PermanentSendError(`Postmark rejected the email (ErrorCode ${code}): ${err.message}`, code);
    }
    const what = statusCode ? `HTTP ${statusCode}${code ? `, ErrorCode ${code}` : ''}` : 'network';
    return new Error(`Postmark send failed (${what}): ${err.message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

export class PostmarkEmailProvider implements ChannelProvider {
  readonly channel = 'email' as const;
  readonly provider = 'postmark';
  readonly sandbox = false;
  private readonly client: ServerClient;
  private readonly messageStream: string;
  private readonly trackOpens: boolean;

  constructor(opts: PostmarkEmailOptions) {
    this.client = new ServerClient(opts.serverToken, clientOptions(opts.baseUrl ?? POSTMARK_DEFAULT_BASE_URL, opts.timeoutSeconds ?? 30));
    this.messageStream = opts.messageStream ?? 'outbound';
    this.trackOpens = opts.trackOpens ?? true;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const to = emailRecipient(message);
    const from = emailSender(message);
    const messageId = emailMessageId(message);
    const headers = emailHeaders(message, messageId);
    try {
      const res = await this.client.sendEmail({
        From: formatAddress(message.from.name, from),
        To: formatAddress(message.to.name, to),
        Subject: message.subject ?? '',
        TextBody: message.text,
        HtmlBody: message.html,
        Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
        Metadata: {
          ...message.metadata,
          [IDEMPOTENCY_METADATA_KEY]: idempotencyMetadataValue(message.idempotencyKey),
        },
        MessageStream: this.messageStream,
        TrackOpens: this.trackOpens,
      });
      return { providerMessageId: res.MessageID, threadId: messageId };
    } catch (err) {
      throw mapPostmarkError(err);
    }
  }

  /**
   * Searches sent messages by the idempotency key in metadata. `since` is not sent: the key is
   * unique, and Postmark's date filters are in US Eastern time, which only adds ways to miss.
   * Postmark indexes a message for search shortly after accepting it, so a search within seconds of
   * a send may miss it; the caller's retry delay covers that.
   */
  async findSent(message: OutboundMessage, _since: Date): Promise<SendResult | null> {
    const wanted = idempotencyMetadataValue(message.idempotencyKey);
    let found;
    try {
      found = await this.client.getOutboundMessages({
        count: 10,
        offset: 0,
        [`metadata_${IDEMPOTENCY_METADATA_KEY}`]: wanted,
      });
    } catch (err) {
      throw new Error(`Postmark message search failed: ${mapPostmarkError(err).message}`, { cause: err });
    }
    const hit = found.Messages.find((m) => !m.Metadata || m.Metadata[IDEMPOTENCY_METADATA_KEY] === wanted);
    return hit ? { providerMessageId: hit.MessageID, threadId: emailMessageId(message) } : null;
  }
}

// Direct mail letters through ClickSend's REST v3 (fetch; Basic auth username:apiKey). ClickSend
// prints a PDF it downloads from a URL, so a letter touch carries `letter_pdf_url` in its metadata;
// the recipient is `to.postalAddress` and the return address is a saved ClickSend return address id
// (the send resource, else CLICKSEND_RETURN_ADDRESS_ID).
import { PermanentSendError, type ChannelProvider, type OutboundMessage, type SendResult } from '../channels';

export const CLICKSEND_DEFAULT_BASE_URL = 'https://rest.clicksend.com';
export const LETTER_PDF_METADATA = 'letter_pdf_url';

export interface ClickSendMailOptions {
  username: string;
  apiKey: string;
  /** Default https://rest.clicksend.com (paths start with /v3). */
  baseUrl?: string;
  returnAddressId?: number;
  /** 1 when the PDFs follow ClickSend's letter template (address window); default 0. */
  templateUsed?: 0 | 1;
  colour?: 0 | 1;
  duplex?: 0 | 1;
  priorityPost?: 0 | 1;
  timeoutMs?: number;
}

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  state?: string;
  postalCode: string;
  country: string;
}

// `City STATE 2000` / `City 12345-6789`: locality, optional 2–3 letter state, numeric postcode.
const LOCALITY_RE = /^(.+?)\s+(?:([A-Za-z]{2,3})\s+)?(\d{4,5}(?:-\d{4})?)$/;

/**
 * Parses `to.postalAddress`: street line(s), then `City STATE POSTCODE`, then the country, one per
 * line (or comma-separated on one line). Returns null when it does not have that shape.
 */
export function parsePostalAddress(raw: string | undefined): PostalAddress | null {
  if (!raw) return null;
  const lines = (raw.includes('\n') ? raw.split(/\r?\n/) : raw.split(',')).map((l) => l.trim().replace(/,$/, '')).filter(Boolean);
  if (lines.length < 3) return null;
  const country = lines[lines.length - 1];
  const locality = LOCALITY_RE.exec(lines[lines.length - 2]);
  if (!locality || /\d/.test(country)) return null;
  const street = lines.slice(0, -2);
  return {
    line1: street[0],
    ...(street.length > 1 ? { line2: street.slice(1).join(', ') } : {}),
    city: locality[1].replace(/,$/, ''),
    ...(locality[2] ? { state: locality[2].toUpperCase() } : {}),
    postalCode: locality[3],
    country,
  };
}

/** The recipient's parsed postal address; a letter without a usable one can never be sent. */
export function mailRecipient(message: OutboundMessage): PostalAddress {
  const p = message.to.postal;
  if (p?.line1 && p.city && p.country) return { ...p, postalCode: p.postalCode ?? '' };
  const address = parsePostalAddress(message.to.postalAddress);
  if (!address) {
    throw new PermanentSendError('mail touch has no postal address of the form "street / City STATE POSTCODE / country"', 'invalid_recipient');
  }
  return address;
}

interface ClickSendBody {
  http_code?: number;
  response_code?: string;
  response_msg?: string;
  data?: { recipients?: { message_id?: string; status?: string }[] } | null;
}

function parse(text: string): ClickSendBody {
  try {
    return JSON.parse(text) as ClickSendBody;
  } catch {
    // Not JSON (SyntaxError): keep the text as the message.
    return { response_msg: text };
  }
}

export class ClickSendMailProvider implements ChannelProvider {
  readonly channel = 'mail' as const;
  readonly provider = 'clicksend';
  readonly sandbox = false;
  private readonly baseUrl: string;

  constructor(private readonly opts: ClickSendMailOptions) {
    this.baseUrl = (opts.baseUrl ?? CLICKSEND_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const address = mailRecipient(message);
    const fileUrl = message.metadata[LETTER_PDF_METADATA];
    if (!fileUrl || !/^https?:\/\//.test(fileUrl)) {
      throw new PermanentSendError(`mail touch has no ${LETTER_PDF_METADATA} to print`, 'missing_letter_pdf');
    }
    const returnAddressId = Number(message.from.resource ?? this.opts.returnAddressId);
    if (!Number.isInteger(returnAddressId) || returnAddressId <= 0) {
      throw new Error('mail sender has no ClickSend return address id (CLICKSEND_RETURN_ADDRESS_ID)');
    }

    const body = await this.post('/v3/post/letters/send', {
      file_url: fileUrl,
      template_used: this.opts.templateUsed ?? 0,
      colour: this.opts.colour ?? 0,
      duplex: this.opts.duplex ?? 0,
      priority_post: this.opts.priorityPost ?? 0,
      source: 'agency-os',
      recipients: [
        {
          address_name: message.to.name ?? '',
          address_line_1: address.line1,
          address_line_2: address.line2 ?? '',
          address_city: address.city,
          address_state: address.state ?? '',
          address_postal_code: address.postalCode,
          address_country: address.country,
          return_address_id: returnAddressId,
          schedule: 0,
        },
      ],
    });
    const recipient = body.data?.recipients?.[0];
    if (recipient?.status && recipient.status !== 'SUCCESS') {
      throw new PermanentSendError(`ClickSend did not queue the letter: ${recipient.status}`, recipient.status);
    }
    // Accepted: never throw from here on (nothing can find the letter again, so a retry would print
    // it twice); without ClickSend's id, the key names it.
    return { providerMessageId: recipient?.message_id ?? `clicksend:${message.idempotencyKey}` };
  }

  // No findSent: letters carry no caller key to search by, and answering "not found" would let a
  // retry after an interrupted request print and post the letter twice; without it the caller
  // treats an interrupted send as an unknown outcome instead.

  private async post(path: string, payload: unknown): Promise<ClickSendBody> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.apiKey}`).toString('base64')}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new Error(`ClickSend request failed: ${(err as Error).message}`, { cause: err });
    }
    const body = parse(await res.text().catch(() => ''));
    if (res.ok) return body;
    const detail = `${body.response_code ?? ''} ${body.response_msg ?? ''}`.trim();
    // 400/422: ClickSend refused this letter's content; auth, credit, throttling and outages are
    // retryable once the cause is gone.
    if (res.status === 400 || res.status === 422) {
      throw new PermanentSendError(`ClickSend rejected the letter (HTTP ${res.status}): ${detail}`, body.response_code ?? res.status);
    }
    throw new Error(`ClickSend ${path} failed (HTTP ${res.status}): ${detail}`);
  }
}

// LinkedIn through HeyReach's public API (fetch; `X-API-KEY`). HeyReach sends connection requests
// and first messages from its campaigns, not per call, so a first touch enrols the lead in a
// campaign whose sequence uses the `{message}` custom variable as its text; a touch in an existing
// conversation (metadata `heyreach_conversation_id`) goes through the inbox's SendMessage.
import { createHash } from 'node:crypto';
import { PermanentSendError, type ChannelProvider, type OutboundMessage, type SendResult } from '../channels';

export const HEYREACH_DEFAULT_BASE_URL = 'https://api.heyreach.io/api/public';
/** Metadata keys a caller may set on a LinkedIn touch. */
export const HEYREACH_METADATA = {
  conversationId: 'heyreach_conversation_id',
  campaignId: 'heyreach_campaign_id',
} as const;
const PROFILE_RE = /^https?:\/\/([a-z]{2,3}\.)?linkedin\.com\/(in|sales\/lead|sales\/people)\/[^/?#\s]+/i;

export interface HeyReachLinkedInOptions {
  apiKey: string;
  /** Default https://api.heyreach.io/api/public. */
  baseUrl?: string;
  /** The campaign first touches enrol leads in (overridable per touch by metadata). */
  campaignId?: number;
  timeoutMs?: number;
}

/** The lead's LinkedIn profile URL; a touch without one can never be sent. */
export function linkedinRecipient(message: OutboundMessage): string {
  const url = message.to.linkedinUrl?.trim();
  if (!url || !PROFILE_RE.test(url)) {
    throw new PermanentSendError('LinkedIn touch has no valid LinkedIn profile URL', 'invalid_recipient');
  }
  return url;
}

/** The HeyReach LinkedIn account id (the seat) sending the touch: the send resource. */
export function linkedinSeat(message: OutboundMessage): number {
  const id = Number(message.from.resource);
  if (!Number.isInteger(id) || id <= 0) {
    throw new Error('LinkedIn sender has no HeyReach account id (send resource misconfigured)');
  }
  return id;
}

const keyDigest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

function splitName(name: string | undefined): { firstName: string; lastName: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return { firstName: parts[0] ?? '', lastName: parts.slice(1).join(' ') };
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorMessage?: string; message?: string; title?: string; errors?: unknown };
    if (parsed.errors) return JSON.stringify(parsed.errors);
    return parsed.errorMessage ?? parsed.message ?? parsed.title ?? body;
  } catch {
    // An error body that is not JSON (SyntaxError): report it as text.
    return body;
  }
}

export class HeyReachLinkedInProvider implements ChannelProvider {
  readonly channel = 'linkedin' as const;
  readonly provider = 'heyreach';
  readonly sandbox = false;
  private readonly baseUrl: string;

  constructor(private readonly opts: HeyReachLinkedInOptions) {
    this.baseUrl = (opts.baseUrl ?? HEYREACH_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const profileUrl = linkedinRecipient(message);
    const seat = linkedinSeat(message);
    const digest = keyDigest(message.idempotencyKey);

    const conversationId = message.metadata[HEYREACH_METADATA.conversationId];
    if (conversationId) {
      await this.post('/inbox/SendMessage', {
        message: message.text,
        subject: message.subject ?? '',
        conversationId,
        linkedInAccountId: seat,
      });
      return { providerMessageId: `heyreach:conversation:${conversationId}:${digest}` };
    }

    const campaignId = Number(message.metadata[HEYREACH_METADATA.campaignId] ?? this.opts.campaignId);
    if (!Number.isInteger(campaignId) || campaignId <= 0) {
      throw new Error('HeyReach campaign id is not configured (HEYREACH_CAMPAIGN_ID)');
    }
    const res = (await this.post('/campaign/AddLeadsToCampaignV2', {
      campaignId,
      accountLeadPairs: [
        {
          linkedInAccountId: seat,
          lead: {
            profileUrl,
            ...splitName(message.to.name),
            ...(message.to.email ? { emailAddress: message.to.email } : {}),
            customUserFields: [
              { name: 'message', value: message.text },
              { name: 'idempotency_key', value: message.idempotencyKey },
            ],
          },
        },
      ],
    })) as { addedLeadsCount?: number; updatedLeadsCount?: number; failedLeadsCount?: number } | string | undefined;
    // Re-adding a lead already in the campaign updates it rather than enrolling it twice.
    const counts = typeof res === 'object' ? res : {};
    if ((counts.failedLeadsCount ?? 0) > 0 && (counts.addedLeadsCount ?? 0) + (counts.updatedLeadsCount ?? 0) === 0) {
      throw new PermanentSendError('HeyReach could not add the lead to the campaign', 'lead_failed');
    }
    return { providerMessageId: `heyreach:campaign:${campaignId}:${digest}` };
  }

  /**
   * Always null: HeyReach keeps no per-request key to look a touch up by. The resend that follows is
   * harmless for a first touch (a lead already in the campaign is only updated, not enrolled twice);
   * an inbox message resent after an interrupted request may arrive twice.
   */
  async findSent(_message: OutboundMessage, _since: Date): Promise<SendResult | null> {
    return null;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'X-API-KEY': this.opts.apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new Error(`HeyReach request failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      // Accepted: never throw from here on, or a retry would send the touch again.
      try {
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        // Accepted with a body that is not JSON (SyntaxError): the send happened; keep the raw text.
        return text;
      }
    }
    const detail = errorText(text);
    // 400/422: HeyReach refused this request's content; anything else (auth, missing campaign,
    // throttling, outages) is retryable once the cause is gone.
    if (res.status === 400 || res.status === 422) {
      throw new PermanentSendError(`HeyReach rejected the touch (HTTP ${res.status}): ${detail}`, res.status);
    }
    throw new Error(`HeyReach ${path} failed (HTTP ${res.status}): ${detail}`);
  }
}

// Outbound voice calls through Vapi (fetch; `Authorization: Bearer`). The touch text becomes the
// assistant's talking points (`{{talkingPoints}}` in the assistant prompt) and the idempotency key
// rides in assistantOverrides.metadata, which Vapi keeps on the call, so a retry can find it.
import { PermanentSendError, type ChannelProvider, type OutboundMessage, type SendResult } from '../channels';
import { phoneRecipient } from '../twilio/sms-provider';

export const VAPI_DEFAULT_BASE_URL = 'https://api.vapi.ai';
/** Metadata key a caller may set to pick another assistant for one touch. */
export const VAPI_ASSISTANT_METADATA = 'vapi_assistant_id';
// A retry may ask within seconds of the create; allow for clock skew between us and Vapi.
const CLOCK_SKEW_MS = 5 * 60_000;

export interface VapiVoiceOptions {
  apiKey: string;
  /** Default https://api.vapi.ai. */
  baseUrl?: string;
  /** The assistant that runs the calls (overridable per touch by metadata). */
  assistantId?: string;
  timeoutMs?: number;
}

interface VapiCall {
  id: string;
  createdAt?: string;
  metadata?: Record<string, unknown>;
  assistantOverrides?: { metadata?: Record<string, unknown> };
}

/** The send resource placing the call: a Vapi phone number id, or the number itself in E.164. */
export function voiceSender(message: OutboundMessage): string {
  const id = (message.from.resource ?? message.from.phone)?.trim();
  if (!id) throw new Error('voice sender has no Vapi phone number (send resource misconfigured)');
  return id;
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: string };
    const m = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
    return typeof m === 'string' ? m : (parsed.error ?? body);
  } catch {
    // An error body that is not JSON (SyntaxError): report it as text.
    return body;
  }
}

export class VapiVoiceProvider implements ChannelProvider {
  readonly channel = 'voice' as const;
  readonly provider = 'vapi';
  readonly sandbox = false;
  private readonly baseUrl: string;
  // E.164 number → Vapi phone number id, learned from GET /phone-number.
  private readonly phoneNumberIds = new Map<string, string>();

  constructor(private readonly opts: VapiVoiceOptions) {
    this.baseUrl = (opts.baseUrl ?? VAPI_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const number = phoneRecipient(message);
    const phoneNumberId = await this.phoneNumberId(voiceSender(message));
    const assistantId = message.metadata[VAPI_ASSISTANT_METADATA] ?? this.opts.assistantId;
    if (!assistantId) throw new Error('Vapi assistant id is not configured (VAPI_ASSISTANT_ID)');

    const call = (await this.request('POST', '/call', {
      assistantId,
      phoneNumberId,
      customer: { number, ...(message.to.name ? { name: message.to.name } : {}) },
      assistantOverrides: {
        variableValues: {
          talkingPoints: message.text,
          subject: message.subject ?? '',
          leadName: message.to.name ?? '',
          senderName: message.from.name,
        },
        metadata: { ...message.metadata, idempotency_key: message.idempotencyKey, client_id: message.clientId },
      },
    })) as VapiCall | undefined;
    if (!call?.id) {
      // Accepted but unreadable: the retry's findSent locates the call by its key instead of calling again.
      throw new Error('Vapi accepted the call but its response had no call id');
    }
    return { providerMessageId: call.id };
  }

  /** Lists this number's calls created since the reservation and matches the key in their metadata. */
  async findSent(message: OutboundMessage, since: Date): Promise<SendResult | null> {
    const query = new URLSearchParams({
      phoneNumberId: await this.phoneNumberId(voiceSender(message)),
      createdAtGt: new Date(since.getTime() - CLOCK_SKEW_MS).toISOString(),
      limit: '100',
    });
    let calls: unknown;
    try {
      calls = await this.request('GET', `/call?${query}`);
    } catch (err) {
      throw new Error('Vapi call search failed', { cause: err });
    }
    const key = message.idempotencyKey;
    const hit = (Array.isArray(calls) ? (calls as VapiCall[]) : []).find(
      (c) => c.assistantOverrides?.metadata?.idempotency_key === key || c.metadata?.idempotency_key === key,
    );
    return hit ? { providerMessageId: hit.id } : null;
  }

  /** Send resources may name the number (+61…) rather than Vapi's id for it; ids pass through. */
  private async phoneNumberId(resource: string): Promise<string> {
    if (!/^\+\d{7,15}$/.test(resource)) return resource;
    let id = this.phoneNumberIds.get(resource);
    if (!id) {
      let numbers: unknown;
      try {
        numbers = await this.request('GET', '/phone-number?limit=1000');
      } catch (err) {
        throw new Error(`Vapi phone number lookup failed: ${(err as Error).message}`, { cause: err });
      }
      for (const n of Array.isArray(numbers) ? (numbers as { id?: string; number?: string }[]) : []) {
        if (n.id && n.number) this.phoneNumberIds.set(n.number, n.id);
      }
      id = this.phoneNumberIds.get(resource);
    }
    // Not imported into Vapi yet: an operator can fix that, so this stays retryable.
    if (!id) throw new Error(`Vapi has no phone number ${resource} (import it into Vapi or use its id)`);
    return id;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.opts.apiKey}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new Error(`Vapi request failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      try {
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        // Accepted with a body that is not JSON (SyntaxError): the call was placed; nothing to read.
        return undefined;
      }
    }
    const detail = errorText(text);
    // 400/422: Vapi refused this call's content (e.g. an invalid number); auth, missing assistant,
    // throttling and outages are retryable once the cause is gone.
    if (res.status === 400 || res.status === 422) {
      throw new PermanentSendError(`Vapi rejected the call (HTTP ${res.status}): ${detail}`, res.status);
    }
    throw new Error(`Vapi ${method} ${path.split('?')[0]} failed (HTTP ${res.status}): ${detail}`);
  }
}

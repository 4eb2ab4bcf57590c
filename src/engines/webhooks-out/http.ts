// One signed POST to a client's endpoint: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
// `webhook-signature`, made by the `standardwebhooks` package), a timeout, no redirects followed (a
// 3xx is a failed attempt, as the spec's senders do), and the SSRF guard of the other callbacks.
import { Webhook } from 'standardwebhooks';
import { blockedCause, createGuardedFetch, type GuardedFetch } from '../../net/ssrf';

export interface EventForPayload {
  id: string;
  type: string;
  leadId: string | null;
  leadSeq: number | null;
  data: unknown;
  createdAt: Date;
}

/** The Standard Webhooks payload shape: `{ type, timestamp, data }`; our ids ride in `data`. */
export function eventPayload(e: EventForPayload): { type: string; timestamp: string; data: Record<string, unknown> } {
  const data = typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? (e.data as Record<string, unknown>) : {};
  return { type: e.type, timestamp: e.createdAt.toISOString(), data: { ...data, eventId: e.id, leadId: e.leadId, leadSeq: e.leadSeq } };
}

/** Headers for one attempt. The id is the event's, the same on every retry, so receivers can dedupe. */
export function signedHeaders(secret: string, msgId: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'AgencyOS-Webhooks/1',
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(msgId, at, body),
  };
}

export interface PostResult {
  statusCode: number | null;
  /** Short and secret-free; null on a 2xx. */
  error: string | null;
  latencyMs: number;
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timeout after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `connection failed (${cause.code})`;
  return 'connection failed';
}

// One guarded fetch per setting, shared by all deliveries so connections to an endpoint are kept
// alive between attempts (the guard still checks the address of every new connection).
const shared = new Map<boolean, GuardedFetch>();
function guardedFetchFor(allowPrivateHosts: boolean): GuardedFetch {
  let f = shared.get(allowPrivateHosts);
  if (!f) shared.set(allowPrivateHosts, (f = createGuardedFetch({ allowPrivateHosts })));
  return f;
}

export async function postSigned(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivateHosts: boolean },
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  try {
    const res = await guardedFetchFor(opts.allowPrivateHosts)(target, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      headers,
      body,
    });
    const latencyMs = elapsed();
    // The answer's body is not used; dropping it frees the connection without reading a large one.
    await res.body?.cancel().catch(() => undefined);
    return { statusCode: res.status, error: res.ok ? null : `answered ${res.status}`, latencyMs };
  } catch (err) {
    if (blockedCause(err)) return { statusCode: null, error: `refused: ${target.hostname} is a private or reserved address`, latencyMs: elapsed() };
    return { statusCode: null, error: describe(err, opts.timeoutMs), latencyMs: elapsed() };
  }
}

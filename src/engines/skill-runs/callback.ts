// The callback a run's requester can ask for: a JSON POST to their URL when the run ends, signed
// with HMAC-SHA256 over `<timestamp>.<body>` so the receiver can check it came from us and is
// fresh. 5xx, 429 and network errors are retried by the activity; other 4xx are final.
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { BlockedHostError, createGuardedFetch, type Resolver } from '../../net/ssrf';

export const SIGNATURE_HEADER = 'X-AgencyOS-Signature';
export const TIMESTAMP_HEADER = 'X-AgencyOS-Timestamp';
const TIMEOUT_MS = 10_000;

export interface RunCallbackPayload {
  event: 'skill_run.finished';
  runId: string;
  clientId: string;
  skill: string;
  status: 'completed' | 'failed' | 'cancelled';
  outputId: string | null;
  title: string | null;
  error: string | null;
}

export function signCallback(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postRunCallback(
  url: string,
  payload: RunCallbackPayload,
  opts: { secret: string; allowPrivateHosts: boolean; now?: () => Date; resolve?: Resolver },
): Promise<{ status: number }> {
  const target = new URL(url);
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((opts.now?.() ?? new Date()).getTime() / 1000));
  // The guard checks the address the socket actually connects to (DNS rebinding), and redirects are
  // not followed, so the signed body only ever goes to a public address of the URL's host.
  const guardedFetch = createGuardedFetch({ allowPrivateHosts: opts.allowPrivateHosts, resolve: opts.resolve });
  let res: Awaited<ReturnType<typeof guardedFetch>>;
  try {
    res = await guardedFetch(target, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signCallback(opts.secret, timestamp, body), [TIMESTAMP_HEADER]: timestamp },
      body,
    });
  } catch (err) {
    void guardedFetch.close();
    if (err instanceof BlockedHostError) throw ApplicationFailure.create({ type: 'CallbackRefused', nonRetryable: true, message: err.message });
    throw err;
  }
  // The body is read only to free the connection; an unreadable one changes nothing.
  await res.arrayBuffer().catch(() => undefined);
  await guardedFetch.close();
  if (res.ok) return { status: res.status };
  const message = `callback ${target.origin} answered ${res.status}`;
  if (res.status === 429 || res.status >= 500) throw new Error(message);
  throw ApplicationFailure.create({ type: 'CallbackRejected', nonRetryable: true, message });
}

// The callback a run's requester can ask for: a JSON POST to their URL when the run ends, signed
// with HMAC-SHA256 over `<timestamp>.<body>` so the receiver can check it came from us and is
// fresh. 5xx, 429 and network errors are retried by the activity; other 4xx are final.
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { assertPublicHost, BlockedHostError } from '../icp-scraper/url-guard';

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
  opts: { secret: string; allowPrivateHosts: boolean; now?: () => Date },
): Promise<{ status: number }> {
  const target = new URL(url);
  if (!opts.allowPrivateHosts) {
    try {
      await assertPublicHost(target.hostname);
    } catch (err) {
      if (err instanceof BlockedHostError) throw ApplicationFailure.create({ type: 'CallbackRefused', nonRetryable: true, message: err.message });
      throw err;
    }
  }
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((opts.now?.() ?? new Date()).getTime() / 1000));
  const res = await fetch(target, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signCallback(opts.secret, timestamp, body), [TIMESTAMP_HEADER]: timestamp },
    body,
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return { status: res.status };
  const message = `callback ${target.origin} answered ${res.status}`;
  if (res.status === 429 || res.status >= 500) throw new Error(message);
  throw ApplicationFailure.create({ type: 'CallbackRejected', nonRetryable: true, message });
}

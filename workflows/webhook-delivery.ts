// webhookDeliveryWorkflow (`delivery:<endpointId>:<eventId>`): one outbound event to one client
// endpoint. Each attempt is an activity that signs (Standard Webhooks), POSTs and records its row in
// the delivery log; a failed attempt (timeout, network error, non-2xx other than 410) is retried after
// 5 s, 10 s, 20 s, … at most an hour apart, until the retry window (24 h by default) has passed since
// the first attempt; then the delivery is failed and, when the endpoint has had no success for that
// long, it is disabled and the client's owners and admins are told. 410 Gone disables the endpoint at
// once. A manual redelivery starts a new run with the same id and the next `series`.
//
// webhookDispatchSweepWorkflow (Schedule `schedule:webhook-dispatch`): the safety net under the
// worker's dispatcher; starts deliveries for events nobody dispatched yet.
import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks-out';
import { LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import { retryDelayMs, type WebhookDeliveryInput, type WebhookDeliveryResult, type WebhookDispatchSweepInput } from './definitions/webhook-delivery';
import { ClientIdKey, PLATFORM_CLIENT_ID } from './search-attributes';

// The shared unlimited policies (definitions/retry.ts): only infrastructure errors (database) reach
// them; HTTP failures are results, retried by the loop below within the delivery's window.
const attempts = proxyActivities<Pick<WebhookActivities, 'attemptWebhookDelivery'>>(SHORT_ACTIVITY);
const bookkeeping = proxyActivities<Pick<WebhookActivities, 'failWebhookDelivery' | 'notifyWebhookEndpointDisabled'>>(SHORT_ACTIVITY);
const sweep = proxyActivities<Pick<WebhookActivities, 'dispatchOutboundEvents'>>(LONG_ACTIVITY);

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  // ClientId is set by the start (src/lifecycle/webhook-deliveries.ts).
  const { endpointId, eventId, series } = input;
  const started = Date.now();
  const windowMs = input.windowSeconds * 1000;
  for (let n = 1; ; n++) {
    const elapsed = Date.now() - started;
    const last = elapsed >= windowMs;
    // The last retry lands at (or just after) the end of the window, never before it.
    const wait = Math.min(retryDelayMs(n), Math.max(1000, windowMs - elapsed));
    const r = await attempts.attemptWebhookDelivery({ endpointId, eventId, series, attempt: n, at: new Date().toISOString(), retryInMs: last ? null : wait });
    if (r.outcome === 'succeeded') return { status: 'succeeded', attempts: n };
    if (r.outcome !== 'retry' || last) {
      const reason = r.outcome === 'retry' ? 'exhausted' : r.outcome;
      const f = await bookkeeping.failWebhookDelivery({
        endpointId,
        eventId,
        at: new Date().toISOString(),
        windowSeconds: input.windowSeconds,
        exhausted: reason === 'exhausted',
      });
      if (f.disabled || r.disabled) await bookkeeping.notifyWebhookEndpointDisabled({ endpointId });
      return { status: 'failed', attempts: n, reason };
    }
    await sleep(wait);
  }
}

export async function webhookDispatchSweepWorkflow(_input: WebhookDispatchSweepInput = { version: 1 }): Promise<{ events: number; deliveries: number }> {
  upsertSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);
  return sweep.dispatchOutboundEvents({ maxEvents: 10_000 });
}

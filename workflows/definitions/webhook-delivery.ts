// Messages of webhookDeliveryWorkflow, shared by the workflow, the dispatcher and the API.

export interface WebhookDeliveryInput {
  version: 1;
  clientId: string;
  endpointId: string;
  eventId: string;
  /** 0 for the first delivery, n for the n-th manual redelivery (its attempts are logged apart). */
  series: number;
  /** How long failed attempts are retried, from the first attempt (WEBHOOK_RETRY_WINDOW_SECONDS). */
  windowSeconds: number;
}

export type WebhookDeliveryStatus = 'succeeded' | 'failed';

export interface WebhookDeliveryResult {
  status: WebhookDeliveryStatus;
  attempts: number;
  /** Why it failed: window exhausted, 410 Gone, endpoint disabled or deleted. */
  reason?: 'exhausted' | 'gone' | 'endpoint_unavailable';
}

export interface WebhookDispatchSweepInput {
  version: 1;
}

/** Retry schedule: 5 s, doubling, at most an hour apart, until the window has passed. */
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 3_600_000;

export function retryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_MS);
}

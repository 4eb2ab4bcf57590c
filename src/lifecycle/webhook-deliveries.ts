// Starting outbound-webhook deliveries: the dispatcher's starts (a repeat is a no-op), manual
// redeliveries (a new run under the same id, next series) and test events. Route handlers and the
// worker's dispatcher call these; they never touch Temporal themselves.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Db, WebhookDelivery, WebhookEndpoint } from '../db/client';
import { emitEvent } from '../engines/events';
import { dispatchPendingEvents, type DeliveryStart, type DispatchResult } from '../engines/webhooks-out/dispatch';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey } from '../../workflows/search-attributes';
import type { WebhookDeliveryInput } from '../../workflows/definitions/webhook-delivery';
import type { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery';

export interface DeliveryDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** WEBHOOK_RETRY_WINDOW_SECONDS */
  windowSeconds: number;
}

export class DeliveryInProgressError extends Error {
  constructor() {
    super('this delivery is still being attempted');
    this.name = 'DeliveryInProgressError';
  }
}

async function start(deps: DeliveryDeps, d: DeliveryStart, redelivery: boolean): Promise<void> {
  const input: WebhookDeliveryInput = {
    version: 1,
    clientId: d.clientId,
    endpointId: d.endpointId,
    eventId: d.eventId,
    series: d.series,
    windowSeconds: deps.windowSeconds,
  };
  await deps.temporal.workflow.start<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
    workflowId: workflowIds.delivery(d.endpointId, d.eventId),
    taskQueue: deps.taskQueue,
    args: [input],
    typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: d.clientId }]),
    // Dispatch: a running delivery, or one that has finished, makes a repeated start a no-op.
    // Redelivery: a finished delivery runs again; a running one is left alone (the caller says 409).
    workflowIdConflictPolicy: redelivery ? WorkflowIdConflictPolicy.FAIL : WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: redelivery ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
}

/** Starts deliveries for every event not yet dispatched; throws (leaving the rest) when Temporal fails. */
export async function dispatchOutbound(deps: DeliveryDeps, opts: { maxEvents?: number; concurrency?: number } = {}): Promise<DispatchResult> {
  return dispatchPendingEvents(deps.db, {
    workflowId: workflowIds.delivery,
    ...opts,
    start: async (d) => {
      try {
        await start(deps, d, false);
      } catch (err) {
        // REJECT_DUPLICATE: this delivery already ran to its end; dispatching it again changes nothing.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
  });
}

/** How long a redelivery waits for the previous run to close once its row says it finished. */
const CLOSING_RUN_WAIT_MS = 5_000;

/**
 * Starts a redelivery. The row says the delivery finished, but its run closes a moment after its last
 * activity wrote that (and a failed one may still be telling the owners): wait for that run briefly
 * and start again, rather than answering 409 to a delivery the log shows as finished.
 */
async function startAfterClose(deps: DeliveryDeps, d: DeliveryStart): Promise<void> {
  try {
    return await start(deps, d, true);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const running = deps.temporal.workflow.getHandle(workflowIds.delivery(d.endpointId, d.eventId));
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), CLOSING_RUN_WAIT_MS)));
  // The previous run's outcome is already in the row; only its closing matters here.
  const closed = running.result().then(
    () => 'closed' as const,
    () => 'closed' as const,
  );
  const state = await Promise.race([closed, gaveUp]).finally(() => clearTimeout(timer));
  if (state === 'waiting') throw new DeliveryInProgressError();
  await start(deps, d, true);
}

/** A new attempt series for a delivery that has finished (succeeded or failed). */
export async function redeliver(deps: DeliveryDeps, delivery: WebhookDelivery): Promise<WebhookDelivery> {
  if (delivery.status === 'pending') throw new DeliveryInProgressError();
  const series = delivery.redeliveries + 1;
  const updated = await deps.db.webhookDelivery.update({
    where: { id: delivery.id },
    data: { status: 'pending', redeliveries: series, nextAttemptAt: new Date(), succeededAt: null, failedAt: null },
  });
  try {
    await startAfterClose(deps, { ...delivery, deliveryId: delivery.id, series });
  } catch (err) {
    await deps.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        status: delivery.status,
        redeliveries: delivery.redeliveries,
        nextAttemptAt: null,
        succeededAt: delivery.succeededAt,
        failedAt: delivery.failedAt,
      },
    });
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new DeliveryInProgressError();
    throw err;
  }
  return updated;
}

/** A `webhook.test` event for one endpoint only: written already dispatched, delivered at once. */
export async function sendTestEvent(deps: DeliveryDeps, endpoint: WebhookEndpoint): Promise<{ eventId: string; delivery: WebhookDelivery }> {
  const { event, delivery } = await deps.db.$transaction(async (tx) => {
    const event = await emitEvent(tx, {
      clientId: endpoint.clientId,
      type: 'webhook.test',
      data: { endpointId: endpoint.id, message: 'This is a test event from Agency OS.' },
    });
    await tx.outboundEvent.update({ where: { id: event.id }, data: { dispatchedAt: new Date() } });
    const delivery = await tx.webhookDelivery.create({
      data: {
        clientId: endpoint.clientId,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        workflowId: workflowIds.delivery(endpoint.id, event.id),
      },
    });
    return { event, delivery };
  });
  await start(deps, { ...delivery, deliveryId: delivery.id, series: 0 }, false);
  return { eventId: event.id, delivery };
}

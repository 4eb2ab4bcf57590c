// The delivery log and the endpoint's health: one attempt of one delivery (sign, POST, record), the
// end of a delivery whose retry window ran out, and disabling an endpoint (410 Gone, or sustained
// failure). Times for bookkeeping (`at`) come from the calling workflow, so its timers and these rows
// agree, also under a time-skipping test server; the signature's timestamp is the wall clock, which
// is what receivers check it against.
import type { Db, Prisma, WebhookEndpoint } from '../../db/client';
import { webhookDeliveriesFailed, webhookDeliveryAttempts } from '../../observability/metrics';
import { decryptSecret } from './secret';
import { eventPayload, postSigned, signedHeaders, type PostResult } from './http';

export type AttemptOutcome = 'succeeded' | 'retry' | 'gone' | 'endpoint_unavailable';

export interface AttemptRequest {
  endpointId: string;
  eventId: string;
  /** 0 for the first delivery, n for the n-th manual redelivery. */
  series: number;
  /** 1, 2, … within the series. */
  attempt: number;
  /** Workflow time of the attempt. */
  at: Date;
  /** When the next attempt will be if this one fails (null: none). */
  retryInMs: number | null;
}

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  latencyMs: number | null;
  /** Set when this attempt disabled the endpoint (410 Gone): the caller notifies its admins. */
  disabled?: boolean;
}

export interface DeliveryOptions {
  signingSecret: string;
  timeoutMs: number;
  allowPrivateHosts: boolean;
}

const GONE = 410;

function outcomeOf(statusCode: number | null): AttemptOutcome {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return 'succeeded';
  return statusCode === GONE ? 'gone' : 'retry';
}

/**
 * One HTTP attempt, recorded once: a retried activity finds its attempt row and returns what happened
 * instead of posting again (a crash between the POST and the row can still post twice; receivers
 * dedupe on `webhook-id`, which the spec makes the same for every attempt).
 */
export async function attemptDelivery(db: Db, r: AttemptRequest, opts: DeliveryOptions): Promise<AttemptResult> {
  const delivery = await db.webhookDelivery.findUnique({ where: { endpointId_eventId: { endpointId: r.endpointId, eventId: r.eventId } } });
  if (!delivery) throw new Error(`no delivery row for endpoint ${r.endpointId} and event ${r.eventId}`);
  const done = await db.webhookDeliveryAttempt.findUnique({
    where: { deliveryId_series_number: { deliveryId: delivery.id, series: r.series, number: r.attempt } },
  });
  if (done) return { outcome: outcomeOf(done.statusCode), statusCode: done.statusCode, error: done.error, latencyMs: done.latencyMs };

  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: r.endpointId } });
  if (!endpoint || endpoint.deletedAt || !endpoint.enabled) {
    const error = !endpoint || endpoint.deletedAt ? 'endpoint deleted' : 'endpoint disabled';
    await db.webhookDelivery.update({ where: { id: delivery.id }, data: { lastError: error, nextAttemptAt: null } });
    webhookDeliveryAttempts.inc({ outcome: 'endpoint_unavailable' });
    return { outcome: 'endpoint_unavailable', statusCode: null, error, latencyMs: null };
  }
  const event = await db.outboundEvent.findUniqueOrThrow({ where: { id: r.eventId } });
  const body = JSON.stringify(eventPayload(event));
  const headers = signedHeaders(decryptSecret(endpoint.secretEncrypted, opts.signingSecret), event.id, new Date(), body);
  const res: PostResult = await postSigned(endpoint.url, body, headers, opts);
  const outcome = outcomeOf(res.statusCode);
  const ok = outcome === 'succeeded';

  await db.$transaction(async (tx) => {
    await tx.webhookDeliveryAttempt.create({
      data: {
        deliveryId: delivery.id,
        series: r.series,
        number: r.attempt,
        statusCode: res.statusCode,
        error: res.error,
        latencyMs: res.latencyMs,
        succeeded: ok,
        createdAt: r.at,
      },
    });
    await tx.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts: { increment: 1 },
        lastStatusCode: res.statusCode,
        lastError: res.error,
        latencyMs: res.latencyMs,
        lastAttemptAt: r.at,
        firstAttemptAt: delivery.firstAttemptAt ?? r.at,
        nextAttemptAt: outcome === 'retry' && r.retryInMs !== null ? new Date(r.at.getTime() + r.retryInMs) : null,
        ...(ok ? { status: 'succeeded', succeededAt: r.at, failedAt: null } : {}),
      },
    });
    if (ok) {
      await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: r.at } });
    } else {
      await tx.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { consecutiveFailures: { increment: 1 }, failingSince: endpoint.failingSince ?? r.at },
      });
      // A concurrent attempt may have set it first; keep the earliest.
      await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, failingSince: { gt: r.at } }, data: { failingSince: r.at } });
    }
  });
  webhookDeliveryAttempts.inc({ outcome });
  const disabled = outcome === 'gone' ? await disableEndpoint(db, endpoint.id, `the endpoint answered ${GONE} Gone`, r.at) : false;
  return { outcome, statusCode: res.statusCode, error: res.error, latencyMs: res.latencyMs, ...(disabled ? { disabled } : {}) };
}

/**
 * Disables an enabled endpoint and writes the audit row; false when it was already disabled or deleted
 * (so a repeated call notifies nobody twice).
 */
export async function disableEndpoint(db: Db, endpointId: string, reason: string, at: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const changed = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true, deletedAt: null },
      data: { enabled: false, disabledAt: at, disabledReason: reason },
    });
    if (changed.count === 0) return false;
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    await tx.auditLog.create({
      data: {
        clientId: endpoint.clientId,
        action: 'webhook_endpoint.auto_disable',
        entityType: 'webhook_endpoint',
        entityId: endpointId,
        after: { url: endpoint.url, reason, consecutiveFailures: endpoint.consecutiveFailures } as Prisma.InputJsonObject,
      },
    });
    return true;
  });
}

export interface FinishResult {
  /** The endpoint was disabled for sustained failure by this call. */
  disabled: boolean;
}

/**
 * A delivery that ran out of attempts (its window, or its endpoint went away) is `failed`. Sustained
 * failure: when its window ran out and the endpoint has not had one successful attempt since its
 * failures began at least a window ago, the endpoint is disabled (every delivery to it has failed
 * for that long).
 */
export async function failDelivery(
  db: Db,
  a: { endpointId: string; eventId: string; at: Date; windowSeconds: number; exhausted: boolean },
): Promise<FinishResult> {
  const failed = await db.webhookDelivery.updateMany({
    where: { endpointId: a.endpointId, eventId: a.eventId, status: 'pending' },
    data: { status: 'failed', failedAt: a.at, nextAttemptAt: null },
  });
  // Counted once: a retried activity finds the row failed already.
  if (failed.count > 0) webhookDeliveriesFailed.inc();
  if (!a.exhausted) return { disabled: false };
  const since = new Date(a.at.getTime() - a.windowSeconds * 1000);
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: a.endpointId } });
  if (!endpoint?.enabled || !endpoint.failingSince || endpoint.failingSince > since) return { disabled: false };
  const hours = Math.round((a.windowSeconds / 3600) * 10) / 10;
  const disabled = await disableEndpoint(
    db,
    a.endpointId,
    `every delivery failed for ${hours} h (${endpoint.consecutiveFailures} failed attempts in a row)`,
    a.at,
  );
  return { disabled };
}

/** The client's owners and admins, who are told when one of its endpoints is disabled. */
export async function endpointAdmins(db: Db, clientId: string): Promise<{ userId: string; email: string; name: string | null }[]> {
  const rows = await db.membership.findMany({
    where: { clientId, deletedAt: null, role: { in: ['owner', 'admin'] }, user: { deletedAt: null } },
    include: { user: true },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.name }));
}

export function disabledNotice(endpoint: Pick<WebhookEndpoint, 'id' | 'url' | 'disabledReason'>): { subject: string; text: string } {
  return {
    subject: 'A webhook endpoint was disabled',
    text: [
      `Agency OS stopped sending events to ${endpoint.url} (endpoint ${endpoint.id}).`,
      `Reason: ${endpoint.disabledReason ?? 'repeated failures'}.`,
      'Fix the receiver, then enable the endpoint again (PATCH it with {"enabled": true}) and redeliver the failed deliveries from its delivery log.',
    ].join('\n\n'),
  };
}

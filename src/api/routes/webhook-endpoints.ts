// /api/v1/clients/:clientId/webhook-endpoints — the client's own endpoints for outbound events:
// CRUD (the signing secret is shown once, at creation or rotation), a test event, the delivery log
// and manual redelivery. Admins manage; viewers read (never a secret).
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { Config } from '../../config';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../../db/client';
import { HttpError, notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { body, httpUrl, params, query, uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { EVENT_TYPES } from '../../engines/events';
import { assertPublicHost, BlockedHostError } from '../../net/ssrf';
import { encryptSecret, generateEndpointSecret } from '../../engines/webhooks-out/secret';
import { resolveSigningSecret } from '../../shared/signing-secret';
import { DeliveryInProgressError, redeliver, sendTestEvent, type DeliveryDeps } from '../../lifecycle/webhook-deliveries';

/** Event types an endpoint can subscribe to (`webhook.test` goes only where it is sent). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== 'webhook.test');
const eventTypes = z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES as unknown as [string, ...string[]])).max(SUBSCRIBABLE_EVENT_TYPES.length);

export const createEndpointBody = z
  .object({
    url: httpUrl,
    description: z.string().trim().max(500).optional(),
    /** Empty or absent: every event type. */
    eventTypes: eventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const patchEndpointBody = z
  .object({ url: httpUrl.optional(), description: z.string().trim().max(500).nullable().optional(), eventTypes: eventTypes.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

export const deliveriesQuery = pageQuery.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() });
export const endpointParams = z.object({ clientId: uuid, endpointId: uuid });
export const deliveryParams = endpointParams.extend({ deliveryId: uuid });

export function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    clientId: e.clientId,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    failingSince: e.failingSince,
    lastSuccessAt: e.lastSuccessAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function deliveryView(d: WebhookDelivery & { attemptsLog?: WebhookDeliveryAttempt[] }) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    redeliveries: d.redeliveries,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    latencyMs: d.latencyMs,
    firstAttemptAt: d.firstAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    succeededAt: d.succeededAt,
    failedAt: d.failedAt,
    createdAt: d.createdAt,
    attemptLog: (d.attemptsLog ?? []).map((a) => ({ series: a.series, number: a.number, statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, succeeded: a.succeeded, at: a.createdAt })),
  };
}

/** https only, and a public host, unless private hosts are allowed (tests, intranets). */
async function checkUrl(config: Config, url: string): Promise<void> {
  const u = new URL(url);
  const bad = (message: string) => new HttpError(400, 'VALIDATION_ERROR', message, [{ path: ['url'], code: 'invalid', message }]);
  if (config.CALLBACK_ALLOW_PRIVATE_HOSTS) return;
  if (u.protocol !== 'https:') throw bad('url must use https');
  try {
    await assertPublicHost(u.hostname);
  } catch (err) {
    if (err instanceof BlockedHostError) throw bad('url must not point to a private or reserved address');
    throw bad(`url's host ${u.hostname} does not resolve`);
  }
}

export function webhookEndpointsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db, config } = deps;
  const signingSecret = () => resolveSigningSecret(config);
  const deliveryDeps: DeliveryDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue, windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS };

  const findEndpoint = async (req: Request) => {
    const clientId = scopedClientId(req);
    const { endpointId } = params(endpointParams, req);
    const endpoint = await db.webhookEndpoint.findFirst({ where: { id: endpointId, clientId, deletedAt: null } });
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  };

  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(pageQuery, req);
    const rows = await db.webhookEndpoint.findMany({ where: { clientId, deletedAt: null, ...cursorWhere(decodeCursor(q.cursor)) }, orderBy: newestFirst, take: q.limit + 1 });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(endpointView), nextCursor: p.nextCursor });
  });

  r.post('/', clientScope('admin'), async (req, res) => {
    const clientId = scopedClientId(req);
    const input = body(createEndpointBody, req);
    await checkUrl(config, input.url);
    const secret = generateEndpointSecret();
    const endpoint = await db.webhookEndpoint.create({
      data: { clientId, url: input.url, description: input.description ?? null, eventTypes: input.eventTypes ?? [], enabled: input.enabled ?? true, secretEncrypted: encryptSecret(secret, signingSecret()) },
    });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'webhook_endpoint.create', entityType: 'webhook_endpoint', entityId: endpoint.id, after: endpointView(endpoint) });
    // The only time the secret is shown: it is stored encrypted and never returned again.
    res.status(201).json({ endpoint: endpointView(endpoint), secret });
  });

  r.get('/:endpointId', clientScope('viewer'), async (req, res) => {
    res.json({ endpoint: endpointView(await findEndpoint(req)) });
  });

  r.patch('/:endpointId', clientScope('admin'), async (req, res) => {
    const before = await findEndpoint(req);
    const input = body(patchEndpointBody, req);
    if (input.url) await checkUrl(config, input.url);
    const enabling = input.enabled === true && !before.enabled;
    const disabling = input.enabled === false && before.enabled;
    const after = await db.webhookEndpoint.update({
      where: { id: before.id },
      data: {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.eventTypes !== undefined ? { eventTypes: input.eventTypes } : {}),
        ...(enabling ? { enabled: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null } : {}),
        ...(disabling ? { enabled: false, disabledAt: new Date(), disabledReason: 'disabled by a user' } : {}),
      },
    });
    await recordAudit(db, { clientId: before.clientId, ...actorOf(req), action: 'webhook_endpoint.update', entityType: 'webhook_endpoint', entityId: before.id, before: endpointView(before), after: endpointView(after) });
    res.json({ endpoint: endpointView(after) });
  });

  r.delete('/:endpointId', clientScope('admin'), async (req, res) => {
    const endpoint = await findEndpoint(req);
    // Running deliveries see the deletion at their next attempt and end failed.
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { deletedAt: new Date(), enabled: false } });
    await recordAudit(db, { clientId: endpoint.clientId, ...actorOf(req), action: 'webhook_endpoint.delete', entityType: 'webhook_endpoint', entityId: endpoint.id, before: endpointView(endpoint) });
    res.status(204).end();
  });

  r.post('/:endpointId/rotate-secret', clientScope('admin'), async (req, res) => {
    const endpoint = await findEndpoint(req);
    const secret = generateEndpointSecret();
    const after = await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secretEncrypted: encryptSecret(secret, signingSecret()) } });
    await recordAudit(db, { clientId: endpoint.clientId, ...actorOf(req), action: 'webhook_endpoint.rotate_secret', entityType: 'webhook_endpoint', entityId: endpoint.id });
    res.json({ endpoint: endpointView(after), secret });
  });

  r.post('/:endpointId/test', clientScope('admin'), async (req, res) => {
    const endpoint = await findEndpoint(req);
    if (!endpoint.enabled) throw new HttpError(409, 'ENDPOINT_DISABLED', 'the endpoint is disabled; enable it first');
    const sent = await sendTestEvent(deliveryDeps, endpoint);
    await recordAudit(db, { clientId: endpoint.clientId, ...actorOf(req), action: 'webhook_endpoint.test', entityType: 'webhook_endpoint', entityId: endpoint.id, after: { eventId: sent.eventId, deliveryId: sent.delivery.id } });
    res.status(202).json({ eventId: sent.eventId, delivery: deliveryView(sent.delivery) });
  });

  r.get('/:endpointId/deliveries', clientScope('viewer'), async (req, res) => {
    const endpoint = await findEndpoint(req);
    const q = query(deliveriesQuery, req);
    const rows = await db.webhookDelivery.findMany({
      where: { endpointId: endpoint.id, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
      include: { attemptsLog: { orderBy: [{ series: 'asc' }, { number: 'asc' }] } },
    });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(deliveryView), nextCursor: p.nextCursor });
  });

  r.post('/:endpointId/deliveries/:deliveryId/redeliver', clientScope('admin'), async (req, res) => {
    const endpoint = await findEndpoint(req);
    const { deliveryId } = params(deliveryParams, req);
    const delivery = await db.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId: endpoint.id } });
    if (!delivery) throw notFound('delivery');
    if (!endpoint.enabled) throw new HttpError(409, 'ENDPOINT_DISABLED', 'the endpoint is disabled; enable it first');
    let updated: WebhookDelivery;
    try {
      updated = await redeliver(deliveryDeps, delivery);
    } catch (err) {
      if (err instanceof DeliveryInProgressError) throw new HttpError(409, 'DELIVERY_IN_PROGRESS', err.message);
      throw err;
    }
    await recordAudit(db, { clientId: endpoint.clientId, ...actorOf(req), action: 'webhook_delivery.redeliver', entityType: 'webhook_delivery', entityId: delivery.id, after: { series: updated.redeliveries } });
    res.status(202).json({ delivery: deliveryView(updated) });
  });

  return r;
}

// /api/v1/clients/:clientId/webhook-endpoints — the client's own endpoints for outbound events:
// CRUD (the signing secret is shown once, at creation or rotation), a test event, the delivery log
// and manual redelivery. Admins manage; viewers read (never a secret).
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { Db } from '../../db/client';
import type { Config } from '../../config';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../../db/client';
import { HttpError, notFound } from '../errors';
import { created, dateTime, id, noContent, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { httpUrl, uuid } from '../validate';
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
  .object({
    url: httpUrl.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    eventTypes: eventTypes.optional(),
    enabled: z.boolean().optional(),
  })
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
    attemptLog: (d.attemptsLog ?? []).map((a) => ({
      series: a.series,
      number: a.number,
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
      succeeded: a.succeeded,
      at: a.createdAt,
    })),
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

export const WebhookEndpointSchema = z
  .object({
    id,
    clientId: id,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()).describe('Subscribed event types; empty means all.'),
    enabled: z.boolean(),
    disabledAt: nullableDateTime,
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    failingSince: nullableDateTime,
    lastSuccessAt: nullableDateTime,
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'WebhookEndpoint' });

const secret = z.string().startsWith('whsec_').describe('The Standard Webhooks signing secret. Shown only in this response: store it now.');

export const WebhookDeliverySchema = z
  .object({
    id,
    endpointId: id,
    eventId: id,
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    redeliveries: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    latencyMs: z.number().int().nullable(),
    firstAttemptAt: nullableDateTime,
    lastAttemptAt: nullableDateTime,
    nextAttemptAt: nullableDateTime,
    succeededAt: nullableDateTime,
    failedAt: nullableDateTime,
    createdAt: dateTime,
    attemptLog: z.array(
      z.object({
        series: z.number().int().describe('0 for the first delivery, n for the n-th redelivery'),
        number: z.number().int(),
        statusCode: z.number().int().nullable(),
        latencyMs: z.number().int(),
        error: z.string().nullable(),
        succeeded: z.boolean(),
        at: dateTime,
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

const BASE = '/api/v1/clients/{clientId}/webhook-endpoints';
const ONE = `${BASE}/{endpointId}`;
const tag = 'webhook-endpoints';
const clientParams = z.object({ clientId: uuid });
const endpointEnvelope = z.object({ endpoint: WebhookEndpointSchema });

const deliveryDepsOf = (deps: ApiDeps): DeliveryDeps => ({
  db: deps.db,
  temporal: deps.temporal,
  taskQueue: deps.taskQueue,
  windowSeconds: deps.config.WEBHOOK_RETRY_WINDOW_SECONDS,
});

async function findEndpoint(db: Db, clientId: string, endpointId: string): Promise<WebhookEndpoint> {
  const endpoint = await db.webhookEndpoint.findFirst({ where: { id: endpointId, clientId, deletedAt: null } });
  if (!endpoint) throw notFound('webhook endpoint');
  return endpoint;
}

export const webhookEndpointRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: BASE,
    summary: "The client's webhook endpoints (no secrets)",
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: pageQuery,
    responses: { 200: ok(pageOf(WebhookEndpointSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const rows = await db.webhookEndpoint.findMany({
        where: { clientId, deletedAt: null, ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(endpointView), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'post',
    path: BASE,
    summary: 'Add a webhook endpoint; the response carries its signing secret, shown this once',
    description: 'https URLs on public hosts only (http and private hosts when CALLBACK_ALLOW_PRIVATE_HOSTS is on).',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: clientParams,
    body: createEndpointBody,
    responses: { 201: created(z.object({ endpoint: WebhookEndpointSchema, secret })) },
    handler: async ({ params: { clientId }, body, req, res, deps: { db, config } }) => {
      const input = body();
      await checkUrl(config, input.url);
      const plain = generateEndpointSecret();
      const endpoint = await db.webhookEndpoint.create({
        data: {
          clientId,
          url: input.url,
          description: input.description ?? null,
          eventTypes: input.eventTypes ?? [],
          enabled: input.enabled ?? true,
          secretEncrypted: encryptSecret(plain, resolveSigningSecret(config)),
        },
      });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'webhook_endpoint.create',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        after: endpointView(endpoint),
      });
      // The only time the secret is shown: it is stored encrypted and never returned again.
      res.status(201).json({ endpoint: endpointView(endpoint), secret: plain });
    },
  }),
  defineRoute({
    method: 'get',
    path: ONE,
    summary: 'One webhook endpoint',
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: endpointParams,
    responses: { 200: ok(endpointEnvelope) },
    handler: async ({ params: { clientId, endpointId }, res, deps: { db } }) => {
      res.json({ endpoint: endpointView(await findEndpoint(db, clientId, endpointId)) });
    },
  }),
  defineRoute({
    method: 'patch',
    path: ONE,
    summary: 'Change the URL, description or event types, or enable/disable the endpoint',
    description: 'Enabling a disabled endpoint clears its failure count; failed deliveries can then be redelivered.',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    body: patchEndpointBody,
    responses: { 200: ok(endpointEnvelope) },
    handler: async ({ params: { clientId, endpointId }, body, req, res, deps: { db, config } }) => {
      const before = await findEndpoint(db, clientId, endpointId);
      const input = body();
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
      await recordAudit(db, {
        clientId: before.clientId,
        ...actorOf(req),
        action: 'webhook_endpoint.update',
        entityType: 'webhook_endpoint',
        entityId: before.id,
        before: endpointView(before),
        after: endpointView(after),
      });
      res.json({ endpoint: endpointView(after) });
    },
  }),
  defineRoute({
    method: 'delete',
    path: ONE,
    summary: 'Remove a webhook endpoint (soft delete)',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 204: noContent },
    handler: async ({ params: { clientId, endpointId }, req, res, deps: { db } }) => {
      const endpoint = await findEndpoint(db, clientId, endpointId);
      // Running deliveries see the deletion at their next attempt and end failed.
      await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { deletedAt: new Date(), enabled: false } });
      await recordAudit(db, {
        clientId: endpoint.clientId,
        ...actorOf(req),
        action: 'webhook_endpoint.delete',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        before: endpointView(endpoint),
      });
      res.status(204).end();
    },
  }),
  defineRoute({
    method: 'post',
    path: `${ONE}/rotate-secret`,
    summary: 'Replace the signing secret; the new one is shown this once',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 200: ok(z.object({ endpoint: WebhookEndpointSchema, secret })) },
    handler: async ({ params: { clientId, endpointId }, req, res, deps: { db, config } }) => {
      const endpoint = await findEndpoint(db, clientId, endpointId);
      const plain = generateEndpointSecret();
      const after = await db.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { secretEncrypted: encryptSecret(plain, resolveSigningSecret(config)) },
      });
      await recordAudit(db, {
        clientId: endpoint.clientId,
        ...actorOf(req),
        action: 'webhook_endpoint.rotate_secret',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
      });
      res.json({ endpoint: endpointView(after), secret: plain });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${ONE}/test`,
    summary: 'Send a `webhook.test` event to this endpoint only',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 202: { description: 'Accepted; the delivery runs in the background', schema: z.object({ eventId: id, delivery: WebhookDeliverySchema }) } },
    handler: async ({ params: { clientId, endpointId }, req, res, deps }) => {
      const endpoint = await findEndpoint(deps.db, clientId, endpointId);
      if (!endpoint.enabled) throw new HttpError(409, 'ENDPOINT_DISABLED', 'the endpoint is disabled; enable it first');
      const sent = await sendTestEvent(deliveryDepsOf(deps), endpoint);
      await recordAudit(deps.db, {
        clientId: endpoint.clientId,
        ...actorOf(req),
        action: 'webhook_endpoint.test',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        after: { eventId: sent.eventId, deliveryId: sent.delivery.id },
      });
      res.status(202).json({ eventId: sent.eventId, delivery: deliveryView(sent.delivery) });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${ONE}/deliveries`,
    summary: 'The delivery log: deliveries with every attempt (status code, latency, error, time)',
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: endpointParams,
    query: deliveriesQuery,
    responses: { 200: ok(pageOf(WebhookDeliverySchema)) },
    handler: async ({ params: { clientId, endpointId }, query: q, res, deps: { db } }) => {
      const endpoint = await findEndpoint(db, clientId, endpointId);
      const rows = await db.webhookDelivery.findMany({
        where: { endpointId: endpoint.id, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
        include: { attemptsLog: { orderBy: [{ series: 'asc' }, { number: 'asc' }] } },
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(deliveryView), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${ONE}/deliveries/{deliveryId}/redeliver`,
    summary: 'Deliver a finished (succeeded or failed) delivery again, with a fresh retry window',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: deliveryParams,
    responses: { 202: { description: 'Accepted; the new attempts appear in the delivery log', schema: z.object({ delivery: WebhookDeliverySchema }) } },
    handler: async ({ params: { clientId, endpointId, deliveryId }, req, res, deps }) => {
      const endpoint = await findEndpoint(deps.db, clientId, endpointId);
      const delivery = await deps.db.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId: endpoint.id } });
      if (!delivery) throw notFound('delivery');
      if (!endpoint.enabled) throw new HttpError(409, 'ENDPOINT_DISABLED', 'the endpoint is disabled; enable it first');
      let updated: WebhookDelivery;
      try {
        updated = await redeliver(deliveryDepsOf(deps), delivery);
      } catch (err) {
        if (err instanceof DeliveryInProgressError) throw new HttpError(409, 'DELIVERY_IN_PROGRESS', err.message);
        throw err;
      }
      await recordAudit(deps.db, {
        clientId: endpoint.clientId,
        ...actorOf(req),
        action: 'webhook_delivery.redeliver',
        entityType: 'webhook_delivery',
        entityId: delivery.id,
        after: { series: updated.redeliveries },
      });
      res.status(202).json({ delivery: deliveryView(updated) });
    },
  }),
];

export const webhookEndpointsRouter = (deps: ApiDeps) => routerFor(deps, BASE, webhookEndpointRoutes);

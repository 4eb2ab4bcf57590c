// /api/v1/clients/{clientId}/webhook-endpoints (outbound webhooks to the client's own systems)
import { z } from 'zod';
import { createEndpointBody, deliveriesQuery, deliveryParams, endpointParams, patchEndpointBody } from '../routes/webhook-endpoints';
import { pageQuery } from '../pagination';
import { uuid } from '../validate';
import { created, dateTime, id, noContent, nullableDateTime, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/webhook-endpoints';
const one = `${base}/{endpointId}`;
const tag = 'webhook-endpoints';

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

const clientParams = z.object({ clientId: uuid });

export const webhookEndpointOperations: ApiOperation[] = [
  {
    method: 'get',
    path: base,
    summary: "The client's webhook endpoints (no secrets)",
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: pageQuery,
    responses: { 200: ok(pageOf(WebhookEndpointSchema)) },
  },
  {
    method: 'post',
    path: base,
    summary: 'Add a webhook endpoint; the response carries its signing secret, shown this once',
    description: 'https URLs on public hosts only (http and private hosts when CALLBACK_ALLOW_PRIVATE_HOSTS is on).',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: clientParams,
    body: createEndpointBody,
    responses: { 201: created(z.object({ endpoint: WebhookEndpointSchema, secret })) },
  },
  {
    method: 'get',
    path: one,
    summary: 'One webhook endpoint',
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: endpointParams,
    responses: { 200: ok(z.object({ endpoint: WebhookEndpointSchema })) },
  },
  {
    method: 'patch',
    path: one,
    summary: 'Change the URL, description or event types, or enable/disable the endpoint',
    description: 'Enabling a disabled endpoint clears its failure count; failed deliveries can then be redelivered.',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    body: patchEndpointBody,
    responses: { 200: ok(z.object({ endpoint: WebhookEndpointSchema })) },
  },
  {
    method: 'delete',
    path: one,
    summary: 'Remove a webhook endpoint (soft delete)',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 204: noContent },
  },
  {
    method: 'post',
    path: `${one}/rotate-secret`,
    summary: 'Replace the signing secret; the new one is shown this once',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 200: ok(z.object({ endpoint: WebhookEndpointSchema, secret })) },
  },
  {
    method: 'post',
    path: `${one}/test`,
    summary: 'Send a `webhook.test` event to this endpoint only',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: endpointParams,
    responses: { 202: { description: 'Accepted; the delivery runs in the background', schema: z.object({ eventId: id, delivery: WebhookDeliverySchema }) } },
  },
  {
    method: 'get',
    path: `${one}/deliveries`,
    summary: 'The delivery log: deliveries with every attempt (status code, latency, error, time)',
    tag,
    access: { kind: 'client', role: 'viewer' },
    params: endpointParams,
    query: deliveriesQuery,
    responses: { 200: ok(pageOf(WebhookDeliverySchema)) },
  },
  {
    method: 'post',
    path: `${one}/deliveries/{deliveryId}/redeliver`,
    summary: 'Deliver a finished (succeeded or failed) delivery again, with a fresh retry window',
    tag,
    access: { kind: 'client', role: 'admin' },
    params: deliveryParams,
    responses: { 202: { description: 'Accepted; the new attempts appear in the delivery log', schema: z.object({ delivery: WebhookDeliverySchema }) } },
  },
];

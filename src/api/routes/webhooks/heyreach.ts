// POST /api/v1/webhooks/heyreach: LinkedIn replies and connection acceptances. HeyReach registers a
// webhook per event type; `?event=` names it for bodies that carry no event type of their own.
import { z } from 'zod';
import { parseHeyReachWebhook } from '../../../integrations/heyreach/webhook-schema';
import { ok } from '../../openapi/spec';
import { defineRoute } from '../../route-table';
import { acceptEvent } from './accept';
import { webhookJson } from './body';
import { requireSharedSecret } from './shared-secret';
import { accepted, AUTH_FIRST, payload } from './spec';

export const hint = z.object({
  event: z
    .string()
    .regex(/^[A-Za-z_]{1,64}$/, 'expected an event type such as MESSAGE_REPLY_RECEIVED')
    .optional(),
});

export const heyreachWebhookRoute = defineRoute({
  method: 'post',
  path: '/api/v1/webhooks/heyreach',
  summary: 'HeyReach LinkedIn replies and connection acceptances (shared secret)',
  description: AUTH_FIRST,
  tag: 'webhooks',
  access: { kind: 'public' },
  rateLimited: false,
  query: hint,
  body: payload,
  responses: { 200: ok(accepted) },
  before: (deps) => [requireSharedSecret(deps, 'HeyReach'), webhookJson],
  handler: async ({ query: { event }, req, res, deps }) => {
    const parsed = parseHeyReachWebhook(req.body, { eventType: event });
    const body = req.body as Record<string, unknown>;
    // The stored body must parse the same way without the query string.
    const stored = event && !body.event_type && !body.eventType ? { ...body, event_type: event } : body;
    await acceptEvent(deps, res, { provider: 'heyreach', dedupeKey: parsed.dedupeKey, eventType: parsed.eventType, payload: stored });
  },
});

// POST /api/v1/webhooks/vapi: Vapi server messages. End-of-call reports and status updates go to the
// inbox; every other message type (transcripts, speech updates, …) is acknowledged and dropped.
import { z } from 'zod';
import { parseVapiWebhook } from '../../../integrations/vapi/webhook-schema';
import { ok } from '../../openapi/spec';
import { defineRoute } from '../../route-table';
import { acceptEvent, webhookAck } from './accept';
import { webhookJson } from './body';
import { requireSharedSecret } from './shared-secret';
import { accepted, AUTH_FIRST, notStored, payload } from './spec';

export const vapiWebhookRoute = defineRoute({
  method: 'post',
  path: '/api/v1/webhooks/vapi',
  summary: 'Vapi server messages (shared secret)',
  description: AUTH_FIRST,
  tag: 'webhooks',
  access: { kind: 'public' },
  rateLimited: false,
  body: payload,
  responses: { 200: ok(z.union([accepted, notStored])) },
  before: (deps) => [requireSharedSecret(deps, 'Vapi'), webhookJson],
  handler: async ({ req, res, deps }) => {
    const parsed = parseVapiWebhook(req.body);
    if (parsed.kind === 'other') {
      webhookAck(res, { received: true, stored: false });
      return;
    }
    await acceptEvent(deps, res, { provider: 'vapi', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload: req.body });
  },
});

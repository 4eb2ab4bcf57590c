// POST /api/v1/webhooks/vapi: Vapi server messages. End-of-call reports and status updates go to the
// inbox; every other message type (transcripts, speech updates, …) is acknowledged and dropped.
import { Router } from 'express';
import { parseVapiWebhook } from '../../../integrations/vapi/webhook-schema';
import type { ApiDeps } from '../../deps';
import { acceptEvent } from './accept';
import { webhookJson } from './body';
import { requireSharedSecret } from './shared-secret';

export function vapiWebhookRouter(deps: ApiDeps): Router {
  const r = Router();
  r.post('/', requireSharedSecret(deps, 'Vapi'), webhookJson, async (req, res) => {
    const parsed = parseVapiWebhook(req.body);
    if (parsed.kind === 'other') {
      res.status(200).json({ received: true, stored: false });
      return;
    }
    await acceptEvent(deps, res, { provider: 'vapi', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload: req.body });
  });
  return r;
}

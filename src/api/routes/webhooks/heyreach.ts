// POST /api/v1/webhooks/heyreach: LinkedIn replies and connection acceptances. HeyReach registers a
// webhook per event type; `?event=` names it for bodies that carry no event type of their own.
import { Router } from 'express';
import { z } from 'zod';
import { parseHeyReachWebhook } from '../../../integrations/heyreach/webhook-schema';
import type { ApiDeps } from '../../deps';
import { query } from '../../validate';
import { acceptEvent } from './accept';
import { webhookJson } from './body';
import { requireSharedSecret } from './shared-secret';

export const hint = z.object({ event: z.string().regex(/^[A-Za-z_]{1,64}$/, 'expected an event type such as MESSAGE_REPLY_RECEIVED').optional() });

export function heyreachWebhookRouter(deps: ApiDeps): Router {
  const r = Router();
  r.post('/', requireSharedSecret(deps, 'HeyReach'), webhookJson, async (req, res) => {
    const { event } = query(hint, req);
    const parsed = parseHeyReachWebhook(req.body, { eventType: event });
    const body = req.body as Record<string, unknown>;
    // The stored body must parse the same way without the query string.
    const payload = event && !body.event_type && !body.eventType ? { ...body, event_type: event } : body;
    await acceptEvent(deps, res, { provider: 'heyreach', dedupeKey: parsed.dedupeKey, eventType: parsed.eventType, payload });
  });
  return r;
}

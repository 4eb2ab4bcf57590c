// /api/v1/webhooks/*: provider webhooks. Not behind API-key auth: each route verifies its provider's
// own credentials (before parsing the body wherever they travel in headers), writes the inbox row and
// answers 2xx; the worker role processes the row. Failed authentications are limited per IP.
import type { Router } from 'express';
import type { ApiDeps } from '../../deps';
import { routerFor, type Route } from '../../route-table';
import { limitAuthFailures } from './auth-failures';
import { heyreachWebhookRoute } from './heyreach';
import { postmarkWebhookRoute } from './postmark';
import { calcomWebhookRoute, calendlyWebhookRoute } from './scheduling';
import { telegramWebhookRoute } from './telegram';
import { twilioWebhookRoute } from './twilio';
import { vapiWebhookRoute } from './vapi';

export const webhookRoutes: Route[] = [
  postmarkWebhookRoute,
  twilioWebhookRoute,
  heyreachWebhookRoute,
  vapiWebhookRoute,
  telegramWebhookRoute,
  calcomWebhookRoute,
  calendlyWebhookRoute,
];

export function webhooksRouter(deps: ApiDeps): Router {
  const r = routerFor(deps, '/api/v1/webhooks', webhookRoutes);
  // An error handler: it turns the 401/403s above into 429s past the per-IP limit.
  r.use(limitAuthFailures(deps.config.WEBHOOK_AUTH_FAILURES_PER_IP));
  return r;
}

// /api/v1/webhooks/*: provider webhooks. Not behind API-key auth: each route verifies its provider's
// own credentials (before parsing the body wherever they travel in headers), then writes the inbox
// row, answers 2xx and processes the event in-process. Failed authentications are limited per IP.
import { Router } from 'express';
import type { ApiDeps } from '../../deps';
import { limitAuthFailures } from './auth-failures';
import { heyreachWebhookRouter } from './heyreach';
import { postmarkWebhookRouter } from './postmark';
import { schedulingWebhookRouter } from './scheduling';
import { telegramWebhookRouter } from './telegram';
import { twilioWebhookRouter } from './twilio';
import { vapiWebhookRouter } from './vapi';

export function webhooksRouter(deps: ApiDeps): Router {
  const r = Router();
  r.use('/postmark', postmarkWebhookRouter(deps));
  r.use('/twilio', twilioWebhookRouter(deps));
  r.use('/heyreach', heyreachWebhookRouter(deps));
  r.use('/vapi', vapiWebhookRouter(deps));
  r.use('/telegram', telegramWebhookRouter(deps));
  r.use('/calcom', schedulingWebhookRouter(deps, 'calcom'));
  r.use('/calendly', schedulingWebhookRouter(deps, 'calendly'));
  r.use(limitAuthFailures(deps.config.WEBHOOK_AUTH_FAILURES_PER_IP));
  return r;
}

// /api/v1/webhooks/*: provider webhooks. Not behind API-key auth: each route verifies its provider's
// own credentials, then writes the inbox row, answers 2xx and processes the event in-process.
import { Router } from 'express';
import type { ApiDeps } from '../../deps';
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
  return r;
}

export { inboxProcessor } from './processing';

// POST /api/v1/webhooks/postmark: inbound email and the outbound events (bounce, spam complaint,
// delivery, open, click, subscription change). Postmark authenticates with the Basic credentials in
// the webhook URL and/or a custom X-Webhook-Secret header. Failures are 401, never 403: Postmark
// stops retrying a webhook that answers 403. Credentials are checked before the body is parsed.
import { Router, type RequestHandler } from 'express';
import { parsePostmarkWebhook } from '../../../integrations/postmark/webhook-schema';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';
import { checkPostmark, Secret, type PostmarkCredentials } from './auth';
import { webhookJson } from './body';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="agency-os webhooks", charset="UTF-8"' };

export function postmarkWebhookRouter(deps: ApiDeps): Router {
  const r = Router();
  const { POSTMARK_WEBHOOK_USER: user, POSTMARK_WEBHOOK_PASSWORD: password, WEBHOOK_SHARED_SECRET: secret } = deps.config;
  const creds: PostmarkCredentials = {
    ...(user && password ? { user: new Secret(user), password: new Secret(password) } : {}),
    ...(secret ? { secret: new Secret(secret) } : {}),
  };
  const configured = Boolean(creds.user || creds.secret);

  const authenticate: RequestHandler = (req, _res, next) => {
    if (!configured) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', 'Postmark webhook credentials are not configured', undefined, CHALLENGE);
    const auth = checkPostmark(req, creds);
    if (auth !== 'ok') {
      throw new HttpError(401, 'UNAUTHENTICATED', auth === 'missing' ? 'webhook credentials required' : 'invalid webhook credentials', undefined, CHALLENGE);
    }
    next();
  };

  r.post('/', authenticate, webhookJson, async (req, res) => {
    const parsed = parsePostmarkWebhook(req.body);
    await acceptEvent(deps, res, { provider: 'postmark', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload: req.body });
  });
  return r;
}

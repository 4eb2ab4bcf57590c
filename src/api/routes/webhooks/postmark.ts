// POST /api/v1/webhooks/postmark: inbound email and the outbound events (bounce, spam complaint,
// delivery, open, click, subscription change). Postmark authenticates with the Basic credentials in
// the webhook URL and/or a custom X-Webhook-Secret header. Failures are 401, never 403: Postmark
// stops retrying a webhook that answers 403. Credentials are checked before the body is parsed.
import type { RequestHandler } from 'express';
import { parsePostmarkWebhook } from '../../../integrations/postmark/webhook-schema';
import type { Config } from '../../../config';
import { ok } from '../../openapi/spec';
import { defineRoute } from '../../route-table';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';
import { basicSecret, checkPostmark, Secret, type PostmarkCredentials } from './auth';
import { webhookJson } from './body';
import { accepted, AUTH_FIRST, payload } from './spec';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="agency-os webhooks", charset="UTF-8"' };

function authenticate(config: Config): RequestHandler {
  const { POSTMARK_WEBHOOK_USER: user, POSTMARK_WEBHOOK_PASSWORD: password, WEBHOOK_SHARED_SECRET: secret } = config;
  const creds: PostmarkCredentials = {
    ...(user && password ? { basic: basicSecret(user, password) } : {}),
    ...(secret ? { secret: new Secret(secret) } : {}),
  };
  const configured = Boolean(creds.basic || creds.secret);
  return (req, _res, next) => {
    if (!configured) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', 'Postmark webhook credentials are not configured', undefined, CHALLENGE);
    const auth = checkPostmark(req, creds);
    if (auth !== 'ok') {
      throw new HttpError(401, 'UNAUTHENTICATED', auth === 'missing' ? 'webhook credentials required' : 'invalid webhook credentials', undefined, CHALLENGE);
    }
    next();
  };
}

export const postmarkWebhookRoute = defineRoute({
  method: 'post',
  path: '/api/v1/webhooks/postmark',
  summary: 'Postmark inbound email and delivery/bounce/spam/open/click events',
  description: `Basic credentials in the webhook URL and/or X-Webhook-Secret. Failures are 401 (Postmark stops retrying on 403). ${AUTH_FIRST}`,
  tag: 'webhooks',
  access: { kind: 'public' },
  rateLimited: false,
  body: payload,
  responses: { 200: ok(accepted, 'Stored (or a redelivery of a stored event)') },
  before: (deps) => [authenticate(deps.config), webhookJson],
  handler: async ({ req, res, deps }) => {
    const parsed = parsePostmarkWebhook(req.body);
    await acceptEvent(deps, res, { provider: 'postmark', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload: req.body });
  },
});

// POST /api/v1/webhooks/twilio: incoming SMS (STOP/START/HELP and replies) and status callbacks,
// form-encoded. X-Twilio-Signature is checked by the official SDK against the URL Twilio called:
// PUBLIC_URL + the request path (with its query string), plus the form fields. Only form bodies are
// accepted (415 otherwise): for any other body the signature would cover the URL alone, so a body
// could be swapped under a captured signature. The signature covers the body, so the (bounded) form
// is parsed before it is verified; the header checks that need no body come first. Answers empty
// TwiML, so Twilio sends no auto-reply of ours (its own STOP/HELP handling is unaffected).
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { parseTwilioWebhook, verifyTwilioSignature } from '../../../integrations/twilio/webhook-schema';
import type { Config } from '../../../config';
import { defineRoute } from '../../route-table';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';
import { webhookForm } from './body';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const FORM = 'application/x-www-form-urlencoded';

function precheck(config: Config): RequestHandler {
  const token = config.TWILIO_AUTH_TOKEN;
  return (req, _res, next) => {
    if (!token) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', 'TWILIO_AUTH_TOKEN is not configured: Twilio signatures cannot be checked');
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') throw new HttpError(401, 'UNAUTHENTICATED', 'X-Twilio-Signature required');
    if (!req.is(FORM)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Twilio webhooks must be ${FORM}`);
    next();
  };
}

export const twilioWebhookRoute = defineRoute({
  method: 'post',
  path: '/api/v1/webhooks/twilio',
  summary: 'Twilio inbound SMS and status callbacks (form-encoded, X-Twilio-Signature)',
  description:
    'Form-encoded bodies only (415 otherwise: the signature covers form fields, not other bodies). The signature is checked after the bounded form is parsed. Past WEBHOOK_AUTH_FAILURES_PER_IP failed authentications a minute, an address gets 429.',
  tag: 'webhooks',
  access: { kind: 'public' },
  rateLimited: false,
  otherBodies: { [FORM]: z.record(z.string(), z.string()) },
  responses: { 200: { description: 'Empty TwiML', contentType: 'text/xml' } },
  before: (deps) => [precheck(deps.config), webhookForm],
  handler: async ({ req, res, deps }) => {
    const token = deps.config.TWILIO_AUTH_TOKEN;
    const base = deps.config.PUBLIC_URL?.replace(/\/+$/, '');
    const url = `${base ?? `${req.protocol}://${req.get('host') ?? ''}`}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, string | string[]>;
    const signature = String(req.headers['x-twilio-signature']);
    if (!token || !verifyTwilioSignature(token, url, params, signature)) throw new HttpError(403, 'FORBIDDEN', 'invalid X-Twilio-Signature');
    const parsed = parseTwilioWebhook(req.body);
    const eventType = parsed.kind === 'status' ? `status:${parsed.event.MessageStatus}` : 'inbound';
    await acceptEvent(deps, res, { provider: 'twilio', dedupeKey: parsed.dedupeKey, eventType, payload: req.body }, () => {
      res.status(200).type('text/xml').send(EMPTY_TWIML);
    });
  },
});

// POST /api/v1/webhooks/twilio: incoming SMS (STOP/START/HELP and replies) and status callbacks,
// form-encoded. X-Twilio-Signature is checked by the official SDK against the URL Twilio called:
// PUBLIC_URL + the request path (with its query string). Answers empty TwiML, so Twilio sends no
// auto-reply of ours (its own STOP/HELP handling is unaffected).
import express, { Router } from 'express';
import { parseTwilioWebhook, verifyTwilioSignature } from '../../../integrations/twilio/webhook-schema';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';

// The same limit as the global JSON parser in app.ts (a form body over it is a 413).
export const WEBHOOK_FORM_LIMIT = '256kb';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export function twilioWebhookRouter(deps: ApiDeps): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: WEBHOOK_FORM_LIMIT, parameterLimit: 1000 });
  const base = deps.config.PUBLIC_URL?.replace(/\/+$/, '');

  r.post('/', form, async (req, res) => {
    const token = deps.config.TWILIO_AUTH_TOKEN;
    if (!token) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', 'TWILIO_AUTH_TOKEN is not configured: Twilio signatures cannot be checked');
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') throw new HttpError(401, 'UNAUTHENTICATED', 'X-Twilio-Signature required');
    const url = `${base ?? `${req.protocol}://${req.get('host') ?? ''}`}${req.originalUrl}`;
    const params = req.is('application/x-www-form-urlencoded') && typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, string | string[]>) : {};
    if (!verifyTwilioSignature(token, url, params, signature)) throw new HttpError(403, 'FORBIDDEN', 'invalid X-Twilio-Signature');
    const parsed = parseTwilioWebhook(req.body);
    const eventType = parsed.kind === 'status' ? `status:${parsed.event.MessageStatus}` : 'inbound';
    await acceptEvent(deps, res, { provider: 'twilio', dedupeKey: parsed.dedupeKey, eventType, payload: req.body }, () => {
      res.status(200).type('text/xml').send(EMPTY_TWIML);
    });
  });
  return r;
}

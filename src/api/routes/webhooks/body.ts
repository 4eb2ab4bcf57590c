// Webhook body parsers. Each route runs its parser only after the credentials that travel in headers
// have been checked (Basic, shared secret, Telegram's secret token), so a caller without them never
// gets up to WEBHOOK_BODY_LIMIT parsed. Twilio's signature covers the body: it parses this bounded
// form body first, then verifies.
import express from 'express';
import { keepRawBody } from './raw-body';

/** The largest webhook body (a 413 past it); the same as the API's JSON limit. */
export const WEBHOOK_BODY_LIMIT = '256kb';

export const webhookJson = express.json({ limit: WEBHOOK_BODY_LIMIT });

/** JSON that also keeps the bytes as received, for providers that sign the raw body (Cal.com, Calendly). */
export const webhookJsonRaw = express.json({ limit: WEBHOOK_BODY_LIMIT, verify: keepRawBody });

export const webhookForm = express.urlencoded({ extended: false, limit: WEBHOOK_BODY_LIMIT, parameterLimit: 1000 });

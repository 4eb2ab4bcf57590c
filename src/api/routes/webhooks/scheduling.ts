// POST /api/v1/webhooks/calcom and /calendly: bookings from the scheduling tools agencies use.
// Verified over the raw body (Cal.com: X-Cal-Signature-256; Calendly: Calendly-Webhook-Signature,
// with a timestamp that must be recent), written to the inbox with a dedupe key per event, answered
// 200, then processed (src/engines/meetings/bookings.ts) like every other inbox row.
import type { Request, RequestHandler } from 'express';
import {
  CALCOM_SIGNATURE_HEADER,
  CALENDLY_SIGNATURE_HEADER,
  parseBookingWebhook,
  verifyCalcomSignature,
  verifyCalendlySignature,
  type SchedulingProvider,
  type SignatureCheck,
} from '../../../integrations/scheduling';
import type { Config } from '../../../config';
import { ok } from '../../openapi/spec';
import { defineRoute, type Route } from '../../route-table';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';
import { webhookJsonRaw } from './body';
import { rawBodyOf } from './raw-body';
import { accepted, payload } from './spec';

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

const NAMES: Record<SchedulingProvider, { tool: string; variable: string; header: string; summary: string; description: string }> = {
  calcom: {
    tool: 'Cal.com',
    variable: 'CALCOM_WEBHOOK_SECRET',
    header: 'X-Cal-Signature-256',
    summary: 'Cal.com booking webhooks (X-Cal-Signature-256: hex HMAC-SHA256 of the raw body)',
    description:
      'Bookings created, rescheduled, cancelled and no-shows become meetings, matched to the lead by attendee email. Missing signature or secret not configured: 401; wrong: 403.',
  },
  calendly: {
    tool: 'Calendly',
    variable: 'CALENDLY_WEBHOOK_SIGNING_KEY',
    header: 'Calendly-Webhook-Signature',
    summary: 'Calendly webhook subscriptions (Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">)',
    description:
      'invitee.created (booked or rescheduled), invitee.canceled and invitee_no_show.created become meeting changes. A signature older than 3 minutes is refused (403, replay protection).',
  },
};

const secretOf = (config: Config, provider: SchedulingProvider) => (provider === 'calcom' ? config.CALCOM_WEBHOOK_SECRET : config.CALENDLY_WEBHOOK_SIGNING_KEY);

function schedulingWebhookRoute(provider: SchedulingProvider): Route {
  const names = NAMES[provider];
  const notConfigured = () => new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', `${names.variable} is not configured: ${names.tool} signatures cannot be checked`);
  // The signature covers the body, so it is checked after parsing; a request without the secret
  // configured or without the header is refused before any body is read.
  const preflight =
    (config: Config): RequestHandler =>
    (req, _res, next) => {
      if (!secretOf(config, provider)) return next(notConfigured());
      if (!header(req, names.header.toLowerCase())) return next(new HttpError(401, 'UNAUTHENTICATED', `${names.header} required`));
      next();
    };
  return defineRoute({
    method: 'post',
    path: `/api/v1/webhooks/${provider}`,
    summary: names.summary,
    description: names.description,
    tag: 'webhooks',
    access: { kind: 'public' },
    rateLimited: false,
    body: payload,
    responses: { 200: ok(accepted, 'Stored (or a redelivery of a stored event)') },
    before: (deps) => [preflight(deps.config), webhookJsonRaw],
    handler: async ({ req, res, deps }) => {
      const secret = secretOf(deps.config, provider);
      if (!secret) throw notConfigured();
      const raw = rawBodyOf(req);
      const check: SignatureCheck =
        provider === 'calcom'
          ? verifyCalcomSignature(secret, raw, header(req, CALCOM_SIGNATURE_HEADER))
          : verifyCalendlySignature(secret, raw, header(req, CALENDLY_SIGNATURE_HEADER));
      if (check === 'missing') throw new HttpError(401, 'UNAUTHENTICATED', `${names.header} required`);
      if (check === 'wrong') throw new HttpError(403, 'FORBIDDEN', `invalid ${names.header}`);
      if (check === 'stale') throw new HttpError(403, 'FORBIDDEN', `${names.header} timestamp is too old (replay protection)`);
      const parsed = parseBookingWebhook(provider, req.body, raw);
      await acceptEvent(deps, res, { provider, dedupeKey: parsed.dedupeKey, eventType: parsed.eventType, payload: req.body });
    },
  });
}

export const calcomWebhookRoute = schedulingWebhookRoute('calcom');
export const calendlyWebhookRoute = schedulingWebhookRoute('calendly');

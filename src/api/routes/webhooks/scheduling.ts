// POST /api/v1/webhooks/calcom and /calendly: bookings from the scheduling tools agencies use.
// Verified over the raw body (Cal.com: X-Cal-Signature-256; Calendly: Calendly-Webhook-Signature,
// with a timestamp that must be recent), written to the inbox with a dedupe key per event, answered
// 200, then processed (src/engines/meetings/bookings.ts) like every other inbox row.
import { Router, type Request } from 'express';
import {
  CALCOM_SIGNATURE_HEADER,
  CALENDLY_SIGNATURE_HEADER,
  parseBookingWebhook,
  verifyCalcomSignature,
  verifyCalendlySignature,
  type SchedulingProvider,
  type SignatureCheck,
} from '../../../integrations/scheduling';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { acceptEvent } from './accept';
import { webhookJsonRaw } from './body';
import { rawBodyOf } from './raw-body';

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

const NAMES: Record<SchedulingProvider, { tool: string; variable: string; header: string }> = {
  calcom: { tool: 'Cal.com', variable: 'CALCOM_WEBHOOK_SECRET', header: 'X-Cal-Signature-256' },
  calendly: { tool: 'Calendly', variable: 'CALENDLY_WEBHOOK_SIGNING_KEY', header: 'Calendly-Webhook-Signature' },
};

export function schedulingWebhookRouter(deps: ApiDeps, provider: SchedulingProvider): Router {
  const r = Router();
  const secret = provider === 'calcom' ? deps.config.CALCOM_WEBHOOK_SECRET : deps.config.CALENDLY_WEBHOOK_SIGNING_KEY;
  const names = NAMES[provider];
  // The signature covers the body, so it is checked after parsing; a request without the secret
  // configured or without the header is refused before any body is read.
  const preflight = (req: Request, _res: unknown, next: (err?: unknown) => void) => {
    if (!secret) return next(new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', `${names.variable} is not configured: ${names.tool} signatures cannot be checked`));
    if (!header(req, names.header.toLowerCase())) return next(new HttpError(401, 'UNAUTHENTICATED', `${names.header} required`));
    next();
  };
  r.post('/', preflight, webhookJsonRaw, async (req, res) => {
    if (!secret) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', `${names.variable} is not configured: ${names.tool} signatures cannot be checked`);
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
  });
  return r;
}

// /u/:token — one-click unsubscribe (RFC 8058). The signed token is the whole proof: no login.
// GET shows a confirmation page whose form posts back (GET never unsubscribes: link scanners and
// mail previews fetch links). POST (a mail client's `List-Unsubscribe=One-Click`, or that form)
// suppresses the address at once, then records the event in the inbox so the lead's sequences are
// stopped, now or, if Temporal is unreachable, by the reply-recovery sweep.
import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { resolveSigningSecret } from '../../shared/signing-secret';
import { verifyUnsubscribeToken, type UnsubscribePayload } from '../../engines/compliance/unsubscribe-token';
import { suppress } from '../../engines/compliance/suppression';
import { recordInboxEvent } from '../../engines/inbox/store';
import type { UnsubscribeEvent } from '../../engines/replies/unsubscribe-event';
import type { ApiDeps } from '../deps';
import { HttpError } from '../errors';
import { ErrorBody } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

const FORM_LIMIT = '256kb';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5"><h1 style="font-size: 1.4rem">${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** HTML for browsers, the JSON error shape for everything else. */
function invalidLink(req: Request, res: Response): void {
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .status(400)
      .type('html')
      .send(
        page(
          'This unsubscribe link is not valid',
          '<p>The link may have been cut short by your mail program. Please use the link from the most recent email, or reply to it asking to be removed.</p>',
        ),
      );
    return;
  }
  throw new HttpError(400, 'INVALID_TOKEN', 'unsubscribe link is invalid');
}

const tokenParams = z.object({ token: z.string() });
const answers = {
  200: { description: 'HTML page', contentType: 'text/html' },
  400: { description: 'Invalid link (HTML for browsers, JSON otherwise)', contentType: 'text/html', schema: ErrorBody },
};

function verify(deps: ApiDeps, token: string): UnsubscribePayload | null {
  const result = verifyUnsubscribeToken(token, resolveSigningSecret(deps.config));
  return result.ok ? result.payload : null;
}

export const unsubscribeRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/u/{token}',
    summary: 'One-click unsubscribe: the confirmation page (never unsubscribes by itself)',
    tag: 'unsubscribe',
    access: { kind: 'public' },
    params: tokenParams,
    responses: answers,
    handler: async ({ params, req, res, deps }) => {
      const token = verify(deps, params.token);
      if (!token) return invalidLink(req, res);
      const client = await deps.db.client.findUnique({ where: { id: token.clientId }, select: { name: true } });
      const from = client ? ` from ${escapeHtml(client.name)}` : '';
      res
        .status(200)
        .type('html')
        .send(
          page(
            'Unsubscribe',
            `<p>Stop hearing${from}? No more emails, texts, calls or letters.</p><form method="post" action="${escapeHtml(req.originalUrl)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="source" value="page"><button type="submit" style="font-size: 1rem; padding: .5rem 1rem">Unsubscribe</button></form>`,
          ),
        );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/u/{token}',
    summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)',
    tag: 'unsubscribe',
    access: { kind: 'public' },
    params: tokenParams,
    otherBodies: { 'application/x-www-form-urlencoded': z.record(z.string(), z.string()) },
    responses: answers,
    before: () => [express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 20 })],
    handler: async ({ params, req, res, deps }) => {
      const token = verify(deps, params.token);
      if (!token) return invalidLink(req, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const source: UnsubscribeEvent['source'] = body.source === 'page' ? 'page' : 'one_click';
      const lead = await deps.db.lead.findFirst({ where: { id: token.leadId, clientId: token.clientId }, select: { email: true } });
      if (lead?.email) {
        // Effective before we answer: no email may go out after the person saw "unsubscribed".
        await suppress(deps.db, { clientId: token.clientId, kind: 'email', value: lead.email, reason: 'unsubscribe_link', source: 'list_unsubscribe' });
      }
      const event: UnsubscribeEvent = {
        clientId: token.clientId,
        leadId: token.leadId,
        ...(token.campaignId ? { campaignId: token.campaignId } : {}),
        channel: 'email',
        source,
      };
      const tokenHash = createHash('sha256').update(params.token).digest('hex');
      // The worker processes it (woken by the row's NOTIFY); the suppression above already holds.
      await recordInboxEvent(deps.db, {
        provider: 'unsubscribe',
        dedupeKey: `token:${tokenHash}`,
        eventType: 'unsubscribe',
        payload: event,
        clientId: token.clientId,
      });
      res
        .status(200)
        .type('html')
        .send(page('You are unsubscribed', '<p>You will not hear from us again: no more emails, texts, calls or letters. You can close this page.</p>'));
    },
  }),
];

export const unsubscribeRouter = (deps: ApiDeps) => routerFor(deps, '/u', unsubscribeRoutes);

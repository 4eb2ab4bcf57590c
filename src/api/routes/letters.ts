// GET /api/v1/letters/{letterId}.pdf?exp=&sig= — a direct-mail letter as the print provider
// (ClickSend) downloads it. No API key: the HMAC signature over the letter id and expiry is the
// credential (src/engines/letters.ts). A bad signature is a 403, an expired one a 410, both
// before the database is read; the PDF is rendered from the stored letter on every request.
import { z } from 'zod';
import { checkLetterSignature, renderLetterPdf } from '../../engines/letters';
import { resolveSigningSecret } from '../../shared/signing-secret';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

const letterParams = z.object({ letterId: uuid });
const letterQuery = z.object({
  exp: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url HMAC-SHA256'),
});

const LETTERS = '/api/v1/letters';

export const letterRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: `${LETTERS}/{letterId}.pdf`,
    summary: 'A direct-mail letter as a PDF (signed, expiring link for the print provider)',
    description:
      'The URL a mail touch gives the print provider: `exp` (epoch seconds) and `sig` (base64url HMAC-SHA256 with the service’s signing secret). A signature that does not match: 403 `BAD_SIGNATURE`; past `exp`: 410 `LINK_EXPIRED`.',
    tag: 'letters',
    access: { kind: 'public' },
    params: letterParams,
    query: letterQuery,
    responses: { 200: { description: 'The letter (A4)', contentType: 'application/pdf' } },
    handler: async ({ params: { letterId }, query: q, res, deps }) => {
      const check = checkLetterSignature(letterId, q.exp, q.sig, resolveSigningSecret(deps.config), new Date());
      if (check === 'bad_signature') throw new HttpError(403, 'BAD_SIGNATURE', 'the letter link is not valid');
      if (check === 'expired') throw new HttpError(410, 'LINK_EXPIRED', 'the letter link has expired');
      const letter = await deps.db.letter.findUnique({ where: { id: letterId } });
      if (!letter) throw notFound('letter');
      const pdf = await renderLetterPdf(letter);
      res.status(200).type('application/pdf').setHeader('Cache-Control', 'private, no-store').send(pdf);
    },
  }),
];

export const lettersRouter = (deps: ApiDeps) => routerFor(deps, LETTERS, letterRoutes);

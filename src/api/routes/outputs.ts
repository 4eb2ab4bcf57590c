// /api/v1/outputs — what skill runs produced: list (the caller's clients, filtered by skill, client
// and date), one with its content, and downloads. A download is a signed, expiring link (asked for
// with an API key, opened without one: it can be handed to a client or a browser) to the output as
// markdown or as a Word document. Another tenant's output is a 404.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { downloadLinkPath, OUTPUT_FORMATS, verifyDownloadLink, type OutputFormat } from '../../engines/skill-runs/download-links';
import { markdownToDocx } from '../../engines/skill-runs/docx';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { listOutputs, outputFileName, outputView } from '../../engines/skill-runs/runs';
import { resolveSigningSecret } from '../../shared/signing-secret';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { dateTime, ok, pageOf } from '../openapi/spec';
import { decodeCursor, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { requireLiveClientId } from '../tenancy';
import { dayOrInstant, uuid } from '../validate';
import { dateWindow, listedClients } from '../cross-client';

export const outputsQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    /** From this instant or day (inclusive). */
    from: dayOrInstant.optional(),
    /** Before this instant, or up to the end of this day. */
    to: dayOrInstant.optional(),
  })
  .strict();
export const outputParams = z.object({ outputId: uuid });
export const downloadUrlBody = z
  .object({
    format: z.enum(OUTPUT_FORMATS).default('md').describe('`md` (markdown) or `docx` (Word)'),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .optional()
      .describe('Default OUTPUT_LINK_TTL_SECONDS (1 hour)'),
  })
  .strict();
export const downloadQuery = z
  .object({
    format: z.enum(OUTPUT_FORMATS).default('md'),
    exp: z.string().regex(/^\d{1,12}$/, 'must be epoch seconds'),
    sig: z.string().min(1).max(200),
  })
  .strict();

const OutputSchema = z
  .object({
    outputId: z.string(),
    runId: z.string(),
    clientId: z.string(),
    skill: z.string(),
    title: z.string(),
    format: z.string(),
    chars: z.number().int(),
    preview: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'Output' });
const downloadLink = z.object({ url: z.string(), format: z.enum(OUTPUT_FORMATS), expiresAt: dateTime });

export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const OUTPUTS = '/api/v1/outputs';

/** A live output of a live client, else 404. */
async function loadOutput(deps: ApiDeps, outputId: string) {
  const output = await deps.db.output.findFirst({ where: { id: outputId, deletedAt: null } });
  if (!output) throw notFound('output');
  await requireLiveClientId(deps.db, output.clientId, 'output');
  return output;
}

export const outputRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: OUTPUTS,
    summary: "Outputs of your clients' runs",
    tag: 'outputs',
    access: { kind: 'user' },
    query: outputsQuery,
    responses: { 200: ok(pageOf(OutputSchema)) },
    handler: async ({ query: q, req, res, deps }) => {
      const clientIds = await listedClients(req, deps.db, q.clientId);
      const { from, to } = dateWindow(q);
      const rows = await listOutputs(deps.db, { clientIds, skill: q.skill, from, to, after: decodeCursor(q.cursor), take: q.limit + 1 });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map((o) => outputView(o)), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${OUTPUTS}/{outputId}`,
    summary: 'An output with its content',
    tag: 'outputs',
    access: { kind: 'client', role: 'viewer' },
    params: outputParams,
    responses: { 200: ok(OutputSchema.extend({ content: z.string() })) },
    handler: async ({ params: { outputId }, authorizeClient, res, deps }) => {
      const output = await deps.db.output.findFirst({ where: { id: outputId, deletedAt: null } });
      if (!output) throw notFound('output');
      authorizeClient(output.clientId, 'output');
      await requireLiveClientId(deps.db, output.clientId, 'output');
      res.json(outputView(output, { content: true }));
    },
  }),
  defineRoute({
    method: 'post',
    path: `${OUTPUTS}/{outputId}/download-url`,
    summary: 'A signed, expiring download link for an output (markdown or Word)',
    description:
      'The link (`GET /api/v1/outputs/{outputId}/download?format=…&exp=…&sig=…`) needs no API key: whoever holds it can download the file until `expiresAt`. ' +
      'Issuing one is audited.',
    tag: 'outputs',
    access: { kind: 'client', role: 'viewer' },
    params: outputParams,
    body: downloadUrlBody,
    responses: { 200: ok(downloadLink) },
    handler: async ({ params: { outputId }, body, authorizeClient, req, res, deps }) => {
      const output = await deps.db.output.findFirst({ where: { id: outputId, deletedAt: null } });
      if (!output) throw notFound('output');
      authorizeClient(output.clientId, 'output');
      await requireLiveClientId(deps.db, output.clientId, 'output');
      const b = body();
      const exp = Math.floor(Date.now() / 1000) + (b.expiresInSeconds ?? deps.config.OUTPUT_LINK_TTL_SECONDS);
      const base = (deps.config.PUBLIC_URL ?? `http://${deps.config.HOST}:${deps.config.PORT}`).replace(/\/+$/, '');
      const url = `${base}${downloadLinkPath({ outputId, format: b.format, exp }, resolveSigningSecret(deps.config))}`;
      const expiresAt = new Date(exp * 1000).toISOString();
      await recordAudit(deps.db, {
        clientId: output.clientId,
        ...actorOf(req),
        action: 'output.download_link',
        entityType: 'output',
        entityId: outputId,
        after: { format: b.format, expiresAt },
      });
      res.json({ url, format: b.format, expiresAt });
    },
  }),
];

/** The signed download: no API key (mounted outside authentication), the signature is the credential. */
export const outputDownloadRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: `${OUTPUTS}/{outputId}/download`,
    summary: 'Download an output through a signed link (markdown or Word)',
    description:
      'Get the link from `POST /api/v1/outputs/{outputId}/download-url`. A wrong signature (or a changed id, format or expiry) is a 403 `BAD_SIGNATURE`, an expired link a 410 `LINK_EXPIRED`; a deleted output a 404. ' +
      'Answers the file as an attachment.',
    tag: 'outputs',
    access: { kind: 'public' },
    params: outputParams,
    query: downloadQuery,
    responses: { 200: { description: 'The file (`format=md`: markdown; `format=docx`: a Word document)', contentType: ['text/markdown', DOCX_TYPE] } },
    handler: async ({ params: { outputId }, query: q, res, deps }) => {
      const format: OutputFormat = q.format;
      const check = verifyDownloadLink({ outputId, format, exp: Number(q.exp) }, q.sig, resolveSigningSecret(deps.config));
      if (!check.ok && check.reason === 'bad_signature') throw new HttpError(403, 'BAD_SIGNATURE', 'the download link is not valid');
      if (!check.ok) throw new HttpError(410, 'LINK_EXPIRED', 'the download link has expired; ask for a new one');
      const output = await loadOutput(deps, outputId);
      // The link is the credential: keep the file out of shared caches.
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Disposition', `attachment; filename="${outputFileName(output, format)}"`);
      if (format === 'docx') {
        res.setHeader('Content-Type', DOCX_TYPE);
        res.send(await markdownToDocx(output.content, { title: output.title }));
        return;
      }
      res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
      res.send(output.content);
    },
  }),
];

export const outputsRouter = (deps: ApiDeps) => routerFor(deps, OUTPUTS, outputRoutes);
export const outputDownloadRouter = (deps: ApiDeps) => routerFor(deps, OUTPUTS, outputDownloadRoutes);

// /api/v1/clients/:clientId/leads — create one or many (JSON or CSV), list with filters, read with
// the lead's timeline (live from its sequence workflows), soft delete. Enrichment and scoring run
// in a workflow started after the import, never inside the request.
import express, { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, query, uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { rejectNulCharacters } from '../input-guard';
import { recordAudit } from '../../engines/audit';
import { csvRecords, CsvSyntaxError } from '../../engines/csv';
import { importLeads, leadFieldFromHeader, LeadInputSchema, MAX_IMPORT_ROWS, type ImportSource } from '../../engines/leads';
import { startEnrichment } from '../../lifecycle/enrichment';
import { sequenceTimelines, stopLeadSequences } from '../../lifecycle/sequences';

export const BULK_BODY_LIMIT = '10mb';

export const idParams = z.object({ clientId: uuid, leadId: uuid });
export const listQuery = pageQuery.extend({
  status: z.enum(['new', 'enriched', 'scored', 'in_sequence', 'replied', 'converted', 'not_interested', 'bounced', 'unsubscribed', 'suppressed']).optional(),
  tier: z.enum(['hot', 'warm', 'cool', 'cold', 'dead']).optional(),
});
export const bulkJson = z.object({ leads: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS), partial: z.boolean().default(false) }).strict();
export const partialQuery = z.object({ partial: z.enum(['true', 'false']).optional() });

export function leadsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  const enrich = async (clientId: string, leadIds: string[]) =>
    leadIds.length ? startEnrichment(deps.temporal, deps.taskQueue, { clientId, leadIds }) : null;

  r.post('/', clientScope('member'), async (req, res) => {
    const clientId = scopedClientId(req);
    const lead = body(LeadInputSchema, req);
    const result = await importLeads(db, clientId, [lead], { partial: false });
    if (result.errors.length) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', result.errors.map((e) => ({ path: [e.field], code: 'invalid', message: e.message })));
    }
    if (result.refused.length) throw new HttpError(422, 'SUPPRESSED', `contact is suppressed: ${result.refused[0].reason}`);
    if (result.duplicates.length) {
      throw new HttpError(409, 'DUPLICATE_LEAD', 'a lead with this email already exists', { existingLeadId: result.duplicates[0].existingLeadId });
    }
    const created = await db.lead.findUniqueOrThrow({ where: { id: result.leadIds[0] } });
    const enrichment = await enrich(clientId, result.leadIds);
    await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.create', entityType: 'lead', entityId: created.id, after: created });
    res.status(201).json({ lead: created, enrichment });
  });

  r.post(
    '/bulk',
    clientScope('member'),
    express.json({ limit: BULK_BODY_LIMIT }),
    express.text({ type: ['text/csv', 'application/csv'], limit: BULK_BODY_LIMIT }),
    rejectNulCharacters,
    async (req, res) => {
      const clientId = scopedClientId(req);
      let rows: unknown[];
      let partial: boolean;
      let source: ImportSource | undefined;
      if (typeof req.body === 'string') {
        let csv;
        try {
          csv = csvRecords(req.body, leadFieldFromHeader);
        } catch (err) {
          if (!(err instanceof CsvSyntaxError)) throw err;
          throw new HttpError(400, 'CSV_INVALID', err.message, [{ line: err.line, ...(err.column ? { column: err.column } : {}), message: err.message }]);
        }
        rows = csv.rows.map((r) => r.values);
        source = { lines: csv.rows.map((r) => r.line), columns: csv.columns, rowErrors: csv.issues };
        partial = query(partialQuery, req).partial === 'true';
        if (rows.length === 0) throw new HttpError(400, 'VALIDATION_ERROR', 'the CSV has no data rows');
        if (rows.length > MAX_IMPORT_ROWS) throw new HttpError(413, 'TOO_MANY_ROWS', `at most ${MAX_IMPORT_ROWS} rows per import`);
      } else {
        const parsed = body(bulkJson, req);
        rows = parsed.leads;
        partial = parsed.partial;
      }
      const result = await importLeads(db, clientId, rows, { partial, source });
      if (result.errors.length && !partial) {
        throw new HttpError(400, 'IMPORT_INVALID', `${result.errors.length} row error(s); nothing was imported (send partial=true to import the valid rows)`, {
          errors: result.errors.slice(0, 500),
          duplicates: result.duplicates,
          refused: result.refused,
        });
      }
      const enrichment = await enrich(clientId, result.leadIds);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.bulk_import', entityType: 'lead', after: { imported: result.imported } });
      res.status(201).json({ ...result, errors: result.errors.slice(0, 500), enrichment });
    },
  );

  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(listQuery, req);
    const rows = await db.lead.findMany({
      where: {
        clientId,
        deletedAt: null,
        ...(q.status ? { status: q.status } : {}),
        ...(q.tier ? { alsTier: q.tier } : {}),
        ...cursorWhere(decodeCursor(q.cursor)),
      },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });

  r.get('/:leadId', clientScope('viewer'), async (req, res) => {
    const { clientId, leadId } = params(idParams, req);
    const lead = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null } });
    if (!lead) throw notFound('lead');
    const [activities, sequences] = await Promise.all([
      db.activity.findMany({ where: { leadId, clientId }, orderBy: { createdAt: 'asc' }, take: 500 }),
      sequenceTimelines(deps.temporal, db, leadId),
    ]);
    res.json({ lead, timeline: { sequences, activities } });
  });

  // Restores a soft-deleted lead (client admin or platform admin). Its stopped sequences stay
  // stopped: add it to a campaign again to reach out.
  r.post('/:leadId/restore', clientScope('admin'), async (req, res) => {
    const { clientId, leadId } = params(idParams, req);
    body(z.object({}).strict(), req);
    const before = await db.lead.findFirst({ where: { id: leadId, clientId } });
    if (!before) throw notFound('lead');
    if (!before.deletedAt) {
      res.json({ lead: before, restored: false });
      return;
    }
    const lead = await db.lead.update({ where: { id: leadId }, data: { deletedAt: null } });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.restore', entityType: 'lead', entityId: leadId, before, after: lead });
    res.json({ lead, restored: true });
  });

  r.delete('/:leadId', clientScope('member'), async (req, res) => {
    const { clientId, leadId } = params(idParams, req);
    const lead = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null } });
    if (!lead) throw notFound('lead');
    const deleted = await db.lead.update({ where: { id: leadId }, data: { deletedAt: new Date() } });
    await stopLeadSequences(deps.temporal, db, leadId, 'lead_removed', `lead-deleted:${leadId}`);
    await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.delete', entityType: 'lead', entityId: leadId, before: lead, after: deleted });
    res.status(204).end();
  });

  return r;
}

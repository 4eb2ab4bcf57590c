// /api/v1/clients/:clientId/leads — create one or many (JSON or CSV), list with filters, read with
// the lead's timeline (live from its sequence workflows), correct (PATCH), re-enrich and re-score
// on demand, soft delete and restore. Enrichment and scoring run in a workflow started after the
// import or the request, never inside it.
import express from 'express';
import { z } from 'zod';
import type { Lead } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { csvRecords, CsvSyntaxError } from '../../engines/csv';
import { importLeads, leadFieldFromHeader, LeadInputSchema, LeadPatchSchema, MAX_IMPORT_ROWS, updateLead, type ImportSource } from '../../engines/leads';
import { startEnrichment } from '../../lifecycle/enrichment';
import { sequenceTimelines, stopLeadSequences } from '../../lifecycle/sequences';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { rejectNulCharacters } from '../input-guard';
import { ActivitySchema, EnrollmentStatusSchema, LeadSchema } from '../openapi/models';
import { anyJson, created, noContent, ok, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

export const BULK_BODY_LIMIT = '10mb';

const clientParams = z.object({ clientId: uuid });
export const idParams = z.object({ clientId: uuid, leadId: uuid });
export const listQuery = pageQuery.extend({
  status: z.enum(['new', 'enriched', 'scored', 'in_sequence', 'replied', 'converted', 'not_interested', 'bounced', 'unsubscribed', 'suppressed']).optional(),
  tier: z.enum(['hot', 'warm', 'cool', 'cold', 'dead']).optional(),
});
export const bulkJson = z.object({ leads: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS), partial: z.boolean().default(false) }).strict();
export const partialQuery = z.object({ partial: z.enum(['true', 'false']).optional() });

const enrichment = z.object({ workflowId: z.string(), batchId: z.string() }).nullable();
const importResult = z.object({
  imported: z.number().int(),
  leadIds: z.array(z.string()),
  duplicates: z.array(z.object({ row: z.number().int(), email: z.string(), existingLeadId: z.string().optional() })),
  refused: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  /** CSV imports also give each error's `line` (where the row starts) and `column` (as the file names it). */
  errors: z.array(
    z.object({ row: z.number().int(), field: z.string(), message: z.string(), line: z.number().int().optional(), column: z.string().optional() }),
  ),
  enrichment,
});
const sequenceView = z.object({ campaignId: z.string(), workflowId: z.string(), enrollmentStatus: EnrollmentStatusSchema, state: anyJson });

// Closed leads are never enriched again (activities/enrichment.ts skips them): say so instead.
const CLOSED: readonly Lead['status'][] = ['bounced', 'unsubscribed', 'suppressed', 'converted', 'not_interested'];

const enrich = (deps: ApiDeps, clientId: string, leadIds: string[]) =>
  leadIds.length ? startEnrichment(deps.temporal, deps.taskQueue, { clientId, leadIds }) : null;

const LEADS = '/api/v1/clients/{clientId}/leads';

export const leadRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: LEADS,
    summary: 'Create one lead (enrichment starts in a workflow)',
    description:
      'A postal address (`addressLine1`, `addressLine2`, `addressCity`, `addressState`, `addressPostalCode`, `addressCountry`) is checked per country: street and city always, the state in AU/US/CA, the postcode format where the country has postcodes. City, state and country default to the lead’s own.',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: LeadInputSchema,
    responses: { 201: created(z.object({ lead: LeadSchema, enrichment })) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const { db } = deps;
      const result = await importLeads(db, clientId, [body()], { partial: false });
      if (result.errors.length) {
        throw new HttpError(
          400,
          'VALIDATION_ERROR',
          'request is invalid',
          result.errors.map((e) => ({ path: [e.field], code: 'invalid', message: e.message })),
        );
      }
      if (result.refused.length) throw new HttpError(422, 'SUPPRESSED', `contact is suppressed: ${result.refused[0].reason}`);
      if (result.duplicates.length) {
        throw new HttpError(409, 'DUPLICATE_LEAD', 'a lead with this email already exists', { existingLeadId: result.duplicates[0].existingLeadId });
      }
      const lead = await db.lead.findUniqueOrThrow({ where: { id: result.leadIds[0] } });
      const started = await enrich(deps, clientId, result.leadIds);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.create', entityType: 'lead', entityId: lead.id, after: lead });
      res.status(201).json({ lead, enrichment: started });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${LEADS}/bulk`,
    summary: 'Import leads from JSON or CSV (all or nothing unless partial)',
    description:
      'JSON `{leads:[...], partial}` or a text/csv body with `?partial=true|false`. Up to 10 MB. A CSV that is not well-formed (an unterminated quote, a stray quote) is a 400 `CSV_INVALID` naming its line; row errors carry `row`, `line` and `column`. Address columns: `Address`/`Street`/`Address Line 1`, `Address Line 2`, `Postcode`/`Postal Code`/`Zip`, `Address City`, `Address State`, `Address Country` (city, state and country default to the `City`, `State`, `Country` columns).',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    query: partialQuery,
    body: bulkJson,
    otherBodies: { 'text/csv': z.string() },
    // The app's JSON parser leaves this path alone: its bodies are larger, and may be CSV.
    before: () => [
      express.json({ limit: BULK_BODY_LIMIT }),
      express.text({ type: ['text/csv', 'application/csv'], limit: BULK_BODY_LIMIT }),
      rejectNulCharacters,
    ],
    responses: { 201: created(importResult) },
    handler: async ({ params: { clientId }, query: q, body, req, res, deps }) => {
      const { db } = deps;
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
        partial = q.partial === 'true';
        if (rows.length === 0) throw new HttpError(400, 'VALIDATION_ERROR', 'the CSV has no data rows');
        if (rows.length > MAX_IMPORT_ROWS) throw new HttpError(413, 'TOO_MANY_ROWS', `at most ${MAX_IMPORT_ROWS} rows per import`);
      } else {
        const parsed = body();
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
      const started = await enrich(deps, clientId, result.leadIds);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.bulk_import', entityType: 'lead', after: { imported: result.imported } });
      res.status(201).json({ ...result, errors: result.errors.slice(0, 500), enrichment: started });
    },
  }),
  defineRoute({
    method: 'get',
    path: LEADS,
    summary: "List the client's leads",
    tag: 'leads',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: listQuery,
    responses: { 200: ok(pageOf(LeadSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
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
    },
  }),
  defineRoute({
    method: 'get',
    path: `${LEADS}/{leadId}`,
    summary: 'A lead with its timeline (sequences and activities)',
    tag: 'leads',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ lead: LeadSchema, timeline: z.object({ sequences: z.array(sequenceView), activities: z.array(ActivitySchema) }) })) },
    handler: async ({ params: { clientId, leadId }, res, deps }) => {
      const { db } = deps;
      const lead = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null } });
      if (!lead) throw notFound('lead');
      const [activities, sequences] = await Promise.all([
        db.activity.findMany({ where: { leadId, clientId }, orderBy: { createdAt: 'asc' }, take: 500 }),
        sequenceTimelines(deps.temporal, db, leadId),
      ]);
      res.json({ lead, timeline: { sequences, activities } });
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${LEADS}/{leadId}`,
    summary: 'Correct a lead (contact, company, location, time zone, postal address)',
    description:
      'Any field of the create body; `null` clears it (address fields sent all as `null` clear the whole address). The lead must keep an email, phone or LinkedIn URL. A postal address is checked per country as a whole (the stored fields plus the ones given). Running sequences read the lead at every touch: the next touch uses the new contact details, time zone and address. An email that another lead of the client has is a 409; a suppressed contact a 422.',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: LeadPatchSchema,
    responses: { 200: ok(z.object({ lead: LeadSchema, changed: z.array(z.string()) })) },
    handler: async ({ params: { clientId, leadId }, body, req, res, deps: { db } }) => {
      if (!(await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null }, select: { id: true } }))) throw notFound('lead');
      const r = await updateLead(db, clientId, leadId, body());
      switch (r.kind) {
        case 'not_found':
          throw notFound('lead');
        case 'invalid':
          throw new HttpError(
            400,
            'VALIDATION_ERROR',
            'request is invalid',
            r.issues.map((i) => ({ path: [i.field], code: 'invalid', message: i.message })),
          );
        case 'duplicate':
          throw new HttpError(409, 'DUPLICATE_LEAD', 'another lead of this client has this email', { existingLeadId: r.existingLeadId });
        case 'suppressed':
          throw new HttpError(422, 'SUPPRESSED', `contact is suppressed: ${r.reason}`);
      }
      if (r.changed.length > 0) {
        await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.update', entityType: 'lead', entityId: leadId, before: r.before, after: r.lead });
      }
      res.json({ lead: r.lead, changed: r.changed });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${LEADS}/{leadId}/enrich`,
    summary: 'Enrich the lead again and re-score it (in a workflow)',
    description:
      'Looks the lead up at the providers again (the enrichment cache is not read), fills the columns it still lacks, then scores it with the client’s current ICP and weights. A new tier applies to the remaining touches of its running sequences. Closed leads (bounced, unsubscribed, suppressed, converted, not interested): 409.',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: z.object({}).strict(),
    responses: { 202: { description: 'Started', schema: z.object({ enrichment: z.object({ workflowId: z.string(), batchId: z.string() }) }) } },
    handler: async ({ params: { clientId, leadId }, body, req, res, deps }) => {
      const { db } = deps;
      const lead = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null }, select: { id: true, status: true } });
      if (!lead) throw notFound('lead');
      body();
      if (CLOSED.includes(lead.status)) throw new HttpError(409, 'LEAD_CLOSED', `a ${lead.status} lead is not enriched again`);
      const started = await startEnrichment(deps.temporal, deps.taskQueue, { clientId, leadIds: [leadId], refresh: true });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.enrich', entityType: 'lead', entityId: leadId, after: started });
      res.status(202).json({ enrichment: started });
    },
  }),
  // Restores a soft-deleted lead (client admin or platform admin). Its stopped sequences stay
  // stopped: add it to a campaign again to reach out.
  defineRoute({
    method: 'post',
    path: `${LEADS}/{leadId}/restore`,
    summary: 'Restore a soft-deleted lead',
    tag: 'leads',
    access: { kind: 'client', role: 'admin' },
    params: idParams,
    body: z.object({}).strict(),
    responses: { 200: ok(z.object({ lead: LeadSchema, restored: z.boolean() })) },
    handler: async ({ params: { clientId, leadId }, body, req, res, deps: { db } }) => {
      const before = await db.lead.findFirst({ where: { id: leadId, clientId } });
      if (!before) throw notFound('lead');
      body();
      if (!before.deletedAt) {
        res.json({ lead: before, restored: false });
        return;
      }
      const lead = await db.lead.update({ where: { id: leadId }, data: { deletedAt: null } });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.restore', entityType: 'lead', entityId: leadId, before, after: lead });
      res.json({ lead, restored: true });
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${LEADS}/{leadId}`,
    summary: 'Soft-delete a lead (stops its sequences)',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    responses: { 204: noContent },
    handler: async ({ params: { clientId, leadId }, req, res, deps }) => {
      const { db } = deps;
      const lead = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null } });
      if (!lead) throw notFound('lead');
      const deleted = await db.lead.update({ where: { id: leadId }, data: { deletedAt: new Date() } });
      await stopLeadSequences(deps.temporal, db, leadId, 'lead_removed', `lead-deleted:${leadId}`);
      await recordAudit(db, { clientId, ...actorOf(req), action: 'lead.delete', entityType: 'lead', entityId: leadId, before: lead, after: deleted });
      res.status(204).end();
    },
  }),
];

export const leadsRouter = (deps: ApiDeps) => routerFor(deps, LEADS, leadRoutes);

// /api/v1/clients/{clientId}/leads
import { z } from 'zod';
import { LeadInputSchema } from '../../engines/leads';
import { bulkJson, idParams, listQuery, partialQuery } from '../routes/leads';
import { uuid } from '../validate';
import { ActivitySchema, EnrollmentStatusSchema, LeadSchema } from './models';
import { anyJson, created, noContent, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/leads';
const clientParams = z.object({ clientId: uuid });
const enrichment = z.object({ workflowId: z.string(), batchId: z.string() }).nullable();
const importResult = z.object({
  imported: z.number().int(),
  leadIds: z.array(z.string()),
  duplicates: z.array(z.object({ row: z.number().int(), email: z.string(), existingLeadId: z.string().optional() })),
  refused: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  /** CSV imports also give each error's `line` (where the row starts) and `column` (as the file names it). */
  errors: z.array(z.object({ row: z.number().int(), field: z.string(), message: z.string(), line: z.number().int().optional(), column: z.string().optional() })),
  enrichment,
});
const sequenceView = z.object({ campaignId: z.string(), workflowId: z.string(), enrollmentStatus: EnrollmentStatusSchema, state: anyJson });

export const leadOperations: ApiOperation[] = [
  {
    method: 'post',
    path: base,
    summary: 'Create one lead (enrichment starts in a workflow)',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: LeadInputSchema,
    responses: { 201: created(z.object({ lead: LeadSchema, enrichment })) },
  },
  {
    method: 'post',
    path: `${base}/bulk`,
    summary: 'Import leads from JSON or CSV (all or nothing unless partial)',
    description:
      'JSON `{leads:[...], partial}` or a text/csv body with `?partial=true|false`. Up to 10 MB. A CSV that is not well-formed (an unterminated quote, a stray quote) is a 400 `CSV_INVALID` naming its line; row errors carry `row`, `line` and `column`.',
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    query: partialQuery,
    body: bulkJson,
    otherBodies: { 'text/csv': z.string() },
    responses: { 201: created(importResult) },
  },
  {
    method: 'get',
    path: base,
    summary: "List the client's leads",
    tag: 'leads',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: listQuery,
    responses: { 200: ok(pageOf(LeadSchema)) },
  },
  {
    method: 'get',
    path: `${base}/{leadId}`,
    summary: 'A lead with its timeline (sequences and activities)',
    tag: 'leads',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ lead: LeadSchema, timeline: z.object({ sequences: z.array(sequenceView), activities: z.array(ActivitySchema) }) })) },
  },
  {
    method: 'delete',
    path: `${base}/{leadId}`,
    summary: "Soft-delete a lead (stops its sequences)",
    tag: 'leads',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    responses: { 204: noContent },
  },
  {
    method: 'post',
    path: `${base}/{leadId}/restore`,
    summary: 'Restore a soft-deleted lead',
    tag: 'leads',
    access: { kind: 'client', role: 'admin' },
    params: idParams,
    responses: { 200: ok(z.object({ lead: LeadSchema, restored: z.boolean() })) },
  },
];

// /api/v1/clients/:clientId/approvals — co-pilot mode: a touch waits here for approve / reject /
// edit; the decision is recorded and signalled to the lead's sequence.
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { body as parseBody, uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { signalApproval } from '../../lifecycle/sequences';
import type { ApprovalDecision } from '../../../workflows/definitions/sequence';
import { ApprovalSchema } from '../openapi/models';
import { ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const idParams = z.object({ clientId: uuid, approvalId: uuid });
export const decisionParams = idParams.extend({ decision: z.enum(['approve', 'reject', 'edit']) });
export const listQuery = pageQuery.extend({ status: z.enum(['pending', 'approved', 'rejected', 'edited', 'expired']).optional() });
export const rejectBody = z.object({ note: z.string().max(1000).optional() }).strict();
export const editBody = z.object({ subject: z.string().trim().min(1).max(300).optional(), text: z.string().trim().min(1).max(20_000) }).strict();

const base = '/api/v1/clients/{clientId}/approvals';

export const approvalRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: base,
    summary: 'List approval requests',
    tag: 'approvals',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(ApprovalSchema)) },
    handler: async ({ params, query, res, deps }) => {
      const { db } = deps;
      const { clientId } = params;
      const q = query;
      const rows = await db.approvalRequest.findMany({
        where: { clientId, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/{approvalId}`,
    summary: 'One approval request',
    tag: 'approvals',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ approval: ApprovalSchema })) },
    handler: async ({ params, res, deps }) => {
      const { db } = deps;
      const { clientId, approvalId } = params;
      const approval = await db.approvalRequest.findFirst({ where: { id: approvalId, clientId } });
      if (!approval) throw notFound('approval');
      res.json({ approval });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${base}/{approvalId}/{decision}`,
    summary: 'Approve, reject (optional note) or edit (new text) a pending request',
    description: 'approve: empty body; reject: `{note?}`; edit: `{subject?, text}`. A decided request is 409.',
    tag: 'approvals',
    access: { kind: 'client', role: 'admin' },
    params: decisionParams,
    body: z.union([z.object({}).strict(), rejectBody, editBody]),
    responses: { 200: ok(z.object({ approval: ApprovalSchema })) },
    // The documented body is the union; each decision parses its own member of it.
    handler: async ({ params, req, res, deps }) => {
      const { db } = deps;
      const { clientId, approvalId, decision } = params;
      const approval = await db.approvalRequest.findFirst({ where: { id: approvalId, clientId } });
      if (!approval) throw notFound('approval');
      const decidedBy = req.caller!.userId;
      let signal: ApprovalDecision;
      let status: 'approved' | 'rejected' | 'edited';
      let edited: { subject?: string; text: string } | undefined;
      if (decision === 'approve') {
        parseBody(z.object({}).strict(), req);
        signal = { version: 1, approvalId, decision: 'approved', decidedBy };
        status = 'approved';
      } else if (decision === 'reject') {
        const { note } = parseBody(rejectBody, req);
        signal = { version: 1, approvalId, decision: 'rejected', decidedBy, note };
        status = 'rejected';
      } else {
        edited = parseBody(editBody, req);
        signal = { version: 1, approvalId, decision: 'edited', decidedBy, content: edited };
        status = 'edited';
      }
      // Only a pending request can be decided: the guarded update makes a second decision a 409.
      const moved = await db.approvalRequest.updateMany({
        where: { id: approvalId, status: 'pending' },
        data: { status, decidedBy, decidedAt: new Date(), ...(edited ? { edited } : {}) },
      });
      if (moved.count === 0) throw new HttpError(409, 'ALREADY_DECIDED', `approval is ${approval.status}`);
      await signalApproval(deps.temporal, approval.workflowId, signal);
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: `approval.${decision}`,
        entityType: 'approval',
        entityId: approvalId,
        before: { status: approval.status },
        after: { status },
      });
      res.json({ approval: await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } }) });
    },
  }),
];

export const approvalsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/approvals', approvalRoutes);

// /api/v1/clients/:clientId/approvals — co-pilot mode: a touch waits here for approve / reject /
// edit; the decision is recorded and signalled to the lead's sequence.
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { clientScope } from '../tenancy';
import { body, params, query, uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { signalApproval } from '../../lifecycle/sequences';
import type { ApprovalDecision } from '../../../workflows/definitions/sequence';

export const idParams = z.object({ clientId: uuid, approvalId: uuid });
export const decisionParams = idParams.extend({ decision: z.enum(['approve', 'reject', 'edit']) });
export const listQuery = pageQuery.extend({ status: z.enum(['pending', 'approved', 'rejected', 'edited', 'expired']).optional() });
export const rejectBody = z.object({ note: z.string().max(1000).optional() }).strict();
export const editBody = z.object({ subject: z.string().trim().min(1).max(300).optional(), text: z.string().trim().min(1).max(20_000) }).strict();

export function approvalsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  r.get('/', clientScope('viewer'), async (req, res) => {
    const { clientId } = params(z.object({ clientId: uuid }), req);
    const q = query(listQuery, req);
    const rows = await db.approvalRequest.findMany({
      where: { clientId, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });

  r.get('/:approvalId', clientScope('viewer'), async (req, res) => {
    const { clientId, approvalId } = params(idParams, req);
    const approval = await db.approvalRequest.findFirst({ where: { id: approvalId, clientId } });
    if (!approval) throw notFound('approval');
    res.json({ approval });
  });

  r.post('/:approvalId/:decision', clientScope('admin'), async (req, res) => {
    const { clientId, approvalId, decision } = params(decisionParams, req);
    const approval = await db.approvalRequest.findFirst({ where: { id: approvalId, clientId } });
    if (!approval) throw notFound('approval');
    const decidedBy = req.caller!.userId;
    let signal: ApprovalDecision;
    let status: 'approved' | 'rejected' | 'edited';
    let edited: { subject?: string; text: string } | undefined;
    if (decision === 'approve') {
      body(z.object({}).strict(), req);
      signal = { version: 1, approvalId, decision: 'approved', decidedBy };
      status = 'approved';
    } else if (decision === 'reject') {
      const { note } = body(rejectBody, req);
      signal = { version: 1, approvalId, decision: 'rejected', decidedBy, note };
      status = 'rejected';
    } else {
      edited = body(editBody, req);
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
    await recordAudit(db, { clientId, ...actorOf(req), action: `approval.${decision}`, entityType: 'approval', entityId: approvalId, before: { status: approval.status }, after: { status } });
    res.json({ approval: await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } }) });
  });

  return r;
}

// /api/v1/clients/{clientId}/approvals (co-pilot mode)
import { z } from 'zod';
import { decisionParams, editBody, idParams, listQuery, rejectBody } from '../routes/approvals';
import { uuid } from '../validate';
import { ApprovalSchema } from './models';
import { ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/approvals';

export const approvalOperations: ApiOperation[] = [
  {
    method: 'get',
    path: base,
    summary: 'List approval requests',
    tag: 'approvals',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(ApprovalSchema)) },
  },
  {
    method: 'get',
    path: `${base}/{approvalId}`,
    summary: 'One approval request',
    tag: 'approvals',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ approval: ApprovalSchema })) },
  },
  {
    method: 'post',
    path: `${base}/{approvalId}/{decision}`,
    summary: 'Approve, reject (optional note) or edit (new text) a pending request',
    description: 'approve: empty body; reject: `{note?}`; edit: `{subject?, text}`. A decided request is 409.',
    tag: 'approvals',
    access: { kind: 'client', role: 'admin' },
    params: decisionParams,
    body: z.union([z.object({}).strict(), rejectBody, editBody]),
    responses: { 200: ok(z.object({ approval: ApprovalSchema })) },
  },
];

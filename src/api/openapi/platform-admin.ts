// /api/v1/admin/stats, /api/v1/admin/clients, /api/v1/admin/suppression (platform admins)
import { z } from 'zod';
import { adminClientListQuery, restoreClientParams } from '../routes/admin-clients';
import { addSuppressionBody, suppressionListQuery, suppressionParams } from '../routes/admin-suppression';
import { ClientSchema, SuppressionSchema } from './models';
import { created, dateTime, noContent, nullableDateTime, ok, pageOf, type ApiOperation } from './spec';

const admin = { kind: 'platform-admin' } as const;
const health = z
  .object({
    level: z.enum(['healthy', 'warning', 'critical']),
    reasons: z.array(z.string()),
    sent30d: z.number().int(),
    bounced30d: z.number().int(),
    bounceRate30d: z.number().nullable(),
    lastSendAt: nullableDateTime,
  })
  .meta({ id: 'ClientHealth' });

export const platformAdminOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/admin/stats',
    summary: 'Command-centre KPIs ("today" is the UTC day)',
    tag: 'admin',
    access: admin,
    responses: {
      200: ok(
        z.object({
          day: z.string(),
          clients: z.object({ total: z.number().int(), active: z.number().int(), deleted: z.number().int() }),
          activeCampaigns: z.number().int(),
          leadsByTier: z.record(z.string(), z.number().int()),
          sendsToday: z.number().int(),
          repliesToday: z.number().int(),
          aiSpendTodayUsd: z.number(),
          pendingApprovals: z.number().int(),
          webhookInbox: z.object({ pending: z.number().int(), failed: z.number().int(), oldestPendingAt: nullableDateTime }),
          generatedAt: dateTime,
        }),
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/clients',
    summary: 'Every client with its owners and a health indicator',
    tag: 'admin',
    access: admin,
    query: adminClientListQuery,
    responses: {
      200: ok(pageOf(ClientSchema.extend({ owners: z.array(z.object({ userId: z.string(), email: z.string() })), health }))),
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/clients/{clientId}/restore',
    summary: 'Restore a soft-deleted client',
    tag: 'admin',
    access: admin,
    params: restoreClientParams,
    responses: { 200: ok(z.object({ client: ClientSchema, restored: z.boolean() })) },
  },
  {
    method: 'get',
    path: '/api/v1/admin/suppression',
    summary: 'The global suppression list',
    tag: 'admin',
    access: admin,
    query: suppressionListQuery,
    responses: { 200: ok(pageOf(SuppressionSchema)) },
  },
  {
    method: 'post',
    path: '/api/v1/admin/suppression',
    summary: 'Suppress an email, phone or domain for every client',
    tag: 'admin',
    access: admin,
    body: addSuppressionBody,
    responses: { 201: created(z.object({ suppression: SuppressionSchema })) },
  },
  {
    method: 'delete',
    path: '/api/v1/admin/suppression/{suppressionId}',
    summary: 'Lift a global suppression',
    tag: 'admin',
    access: admin,
    params: suppressionParams,
    responses: { 204: noContent },
  },
];

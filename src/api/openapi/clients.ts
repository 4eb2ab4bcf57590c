// /api/v1/clients and /api/v1/clients/{clientId} (+ ICP read)
import { z } from 'zod';
import { clientListQuery, clientParams, createClientBody, updateClientBody } from '../routes/clients';
import { ClientSchema, ClientWithRoleSchema, InvitationSchema, JobStatusSchema } from './models';
import { anyJson, created, dateTime, noContent, nullableDateTime, ok, pageOf, type ApiOperation } from './spec';

export const clientOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/clients',
    summary: 'Your clients (every client for a platform admin)',
    tag: 'clients',
    access: { kind: 'user' },
    query: clientListQuery,
    responses: { 200: ok(pageOf(ClientWithRoleSchema)) },
  },
  {
    method: 'post',
    path: '/api/v1/clients',
    summary: 'Create a client and invite its owner',
    description: 'The owner gets an emailed invitation (see `POST /api/v1/invitations/accept`) and is the owner once they accept it.',
    tag: 'clients',
    access: { kind: 'platform-admin' },
    body: createClientBody,
    responses: { 201: created(z.object({ client: ClientSchema, ownerInvitation: InvitationSchema })) },
  },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}',
    summary: 'One client',
    tag: 'clients',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(z.object({ client: ClientWithRoleSchema })) },
  },
  {
    method: 'patch',
    path: '/api/v1/clients/{clientId}',
    summary: 'Change client settings (billing fields: platform admins only)',
    tag: 'clients',
    access: { kind: 'client', role: 'admin' },
    params: clientParams,
    body: updateClientBody,
    responses: { 200: ok(z.object({ client: ClientWithRoleSchema })) },
  },
  {
    method: 'delete',
    path: '/api/v1/clients/{clientId}',
    summary: 'Soft-delete a client (a platform admin can restore it)',
    tag: 'clients',
    access: { kind: 'client', role: 'owner' },
    params: clientParams,
    responses: { 204: noContent },
  },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/icp',
    summary: "The client's ideal customer profile (set through onboarding)",
    tag: 'clients',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: {
      200: ok(
        z.object({
          clientId: z.string(),
          confirmed: z.boolean(),
          confirmedAt: nullableDateTime,
          websiteUrl: z.string().nullable(),
          industries: z.array(z.string()),
          companySizes: z.array(z.string()),
          titles: z.array(z.string()),
          locations: z.array(z.string()),
          painPoints: z.array(z.string()),
          valueProp: z.string().nullable(),
          alsWeights: anyJson,
          latestJob: z
            .object({ id: z.string(), status: JobStatusSchema, websiteUrl: z.string(), createdAt: dateTime, confirmedAt: nullableDateTime })
            .nullable(),
        }),
      ),
    },
  },
];

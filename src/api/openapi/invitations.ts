// /api/v1/clients/{clientId}/invitations (admins) and /api/v1/invitations/accept (the invitee)
import { z } from 'zod';
import { acceptInvitationBody, invitationListQuery, invitationParams } from '../routes/invitations';
import { uuid } from '../validate';
import { ApiKeySchema, InvitationSchema, MemberSchema } from './models';
import { created, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/invitations';

export const invitationOperations: ApiOperation[] = [
  {
    method: 'get',
    path: base,
    summary: "The client's invitations (pending, accepted, revoked, expired)",
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    query: invitationListQuery,
    responses: { 200: ok(pageOf(InvitationSchema)) },
  },
  {
    method: 'get',
    path: `${base}/{invitationId}`,
    summary: 'One invitation',
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: invitationParams,
    responses: { 200: ok(z.object({ invitation: InvitationSchema })) },
  },
  {
    method: 'post',
    path: `${base}/{invitationId}/revoke`,
    summary: 'Withdraw a pending invitation (its token stops working)',
    tag: 'members',
    access: { kind: 'client', role: 'admin' },
    params: invitationParams,
    body: z.object({}).strict(),
    responses: { 200: ok(z.object({ invitation: InvitationSchema })) },
  },
  {
    method: 'post',
    path: '/api/v1/invitations/accept',
    summary: 'Accept an invitation with the token from its email',
    description:
      'The token is the credential and works once. A new address: send no API key; the answer creates your account and holds your own ' +
      'first API key (`secret`, shown once). An address that already has an account: send the request with that account\'s API key ' +
      '(without one: 401 SIGN_IN_REQUIRED; another account\'s key: 403 WRONG_ACCOUNT). Unknown token: 404; used, revoked or ' +
      'expired: 410 INVITATION_USED / INVITATION_REVOKED / INVITATION_EXPIRED; already a member: 409.',
    tag: 'members',
    access: { kind: 'public' },
    body: acceptInvitationBody,
    responses: {
      201: created(
        z.object({
          member: MemberSchema,
          client: z.object({ id: uuid, name: z.string() }),
          userCreated: z.boolean(),
          key: ApiKeySchema.nullable(),
          secret: z.string().nullable().describe('Your new API key (new accounts only): shown once, never again.'),
        }),
      ),
    },
  },
];

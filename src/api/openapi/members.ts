// /api/v1/clients/{clientId}/members
import { z } from 'zod';
import { addMemberBody, changeRoleBody, memberListQuery, memberParams } from '../routes/members';
import { uuid } from '../validate';
import { InvitationSchema, MemberSchema } from './models';
import { noContent, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/members';

export const memberOperations: ApiOperation[] = [
  {
    method: 'get',
    path: base,
    summary: "The client's members",
    tag: 'members',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: memberListQuery,
    responses: { 200: ok(pageOf(MemberSchema)) },
  },
  {
    method: 'post',
    path: base,
    summary: 'Invite someone by email (they become a member when they accept)',
    description:
      'Emails the address a single-use invitation token (valid 7 days) and answers 202 with the pending invitation: the same answer ' +
      'whether or not the address already has an account, and never a credential. Inviting the same address again replaces (revokes) ' +
      'the pending invitation. The invitee redeems the token at `POST /api/v1/invitations/accept`. 409 ALREADY_MEMBER if the address ' +
      'is already a member of this client.',
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: z.object({ clientId: uuid }),
    body: addMemberBody,
    responses: { 202: ok(z.object({ invitation: InvitationSchema }), 'Invitation sent') },
  },
  {
    method: 'get',
    path: `${base}/{userId}`,
    summary: 'One member',
    tag: 'members',
    access: { kind: 'client', role: 'viewer' },
    params: memberParams,
    responses: { 200: ok(z.object({ member: MemberSchema })) },
  },
  {
    method: 'patch',
    path: `${base}/{userId}`,
    summary: "Change a member's role (the last owner stays an owner)",
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: memberParams,
    body: changeRoleBody,
    responses: { 200: ok(z.object({ member: MemberSchema })) },
  },
  {
    method: 'delete',
    path: `${base}/{userId}`,
    summary: 'Remove a member (not the last owner)',
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: memberParams,
    responses: { 204: noContent },
  },
];

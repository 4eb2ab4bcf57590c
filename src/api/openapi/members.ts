// /api/v1/clients/{clientId}/members
import { z } from 'zod';
import { addMemberBody, changeRoleBody, memberListQuery, memberParams } from '../routes/members';
import { uuid } from '../validate';
import { InitialKeySchema, MemberSchema } from './models';
import { created, noContent, ok, pageOf, type ApiOperation } from './spec';

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
    summary: 'Add a member by email (the user is created if needed)',
    tag: 'members',
    access: { kind: 'client', role: 'owner' },
    params: z.object({ clientId: uuid }),
    body: addMemberBody,
    responses: { 201: created(z.object({ member: MemberSchema, userCreated: z.boolean(), initialKey: InitialKeySchema })) },
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

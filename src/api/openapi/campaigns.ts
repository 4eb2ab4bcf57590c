// /api/v1/clients/{clientId}/campaigns
import { z } from 'zod';
import { actionParams, addLeadsBody, createBody, idParams, listQuery } from '../routes/campaigns';
import { uuid } from '../validate';
import { CampaignSchema, CampaignStateSchema } from './models';
import { created, noContent, ok, pageOf, type ApiOperation } from './spec';

const base = '/api/v1/clients/{clientId}/campaigns';
const clientParams = z.object({ clientId: uuid });
const counts = z.object({ enrollments: z.record(z.string(), z.number()), touchesSent: z.record(z.string(), z.number()) });

export const campaignOperations: ApiOperation[] = [
  {
    method: 'post',
    path: base,
    summary: 'Create a draft campaign (and its workflow)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createBody,
    responses: { 201: created(z.object({ campaign: CampaignSchema })) },
  },
  {
    method: 'get',
    path: base,
    summary: "List the client's campaigns",
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: listQuery,
    responses: { 200: ok(pageOf(CampaignSchema)) },
  },
  {
    method: 'get',
    path: `${base}/{campaignId}`,
    summary: 'A campaign with its live state and counts',
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, live: CampaignStateSchema.nullable(), counts })) },
  },
  {
    method: 'delete',
    path: `${base}/{campaignId}`,
    summary: 'Soft-delete a campaign that is not running (draft, completed or cancelled)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    responses: { 204: noContent },
  },
  {
    method: 'post',
    path: `${base}/{campaignId}/restore`,
    summary: 'Restore a soft-deleted campaign',
    tag: 'campaigns',
    access: { kind: 'client', role: 'admin' },
    params: idParams,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, restored: z.boolean() })) },
  },
  {
    method: 'post',
    path: `${base}/{campaignId}/{action}`,
    summary: 'Start, pause, resume or cancel (a repeat is a no-op; an impossible move is 409)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: actionParams,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, live: CampaignStateSchema })) },
  },
  {
    method: 'post',
    path: `${base}/{campaignId}/leads`,
    summary: 'Enrol leads in the campaign',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: addLeadsBody,
    responses: { 200: ok(z.object({ added: z.number().int(), alreadyEnrolled: z.number().int(), notFound: z.array(z.string()) })) },
  },
];

// /api/v1/campaigns — campaign generation from a confirmed ICP and the templates it saves
import { z } from 'zod';
import { generateBody, idParams, jobParams, launchBody, listQuery } from '../routes/campaign-templates';
import { CampaignSchema, CampaignTemplateSchema } from './models';
import { dateTime, ok, pageOf, type ApiOperation } from './spec';

export const campaignTemplateOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/campaigns/generate',
    summary: 'Generate campaign templates from the confirmed ICP',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'member' },
    body: generateBody,
    responses: { 202: { description: 'Started', schema: z.object({ jobId: z.string(), workflowId: z.string(), status: z.string(), statusUrl: z.string() }) } },
  },
  {
    method: 'get',
    path: '/api/v1/campaigns/generate/{jobId}',
    summary: 'Progress of a generation job',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          status: z.string(),
          step: z.string().nullable(),
          percent: z.number().nullable(),
          completedSteps: z.array(z.string()),
          templateIds: z.array(z.string()),
          error: z.string().nullable(),
          updatedAt: dateTime,
        }),
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/campaigns/templates',
    summary: "A client's campaign templates",
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    query: listQuery,
    responses: { 200: ok(pageOf(CampaignTemplateSchema)) },
  },
  {
    method: 'get',
    path: '/api/v1/campaigns/templates/{id}',
    summary: 'One campaign template',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ template: CampaignTemplateSchema })) },
  },
  {
    method: 'post',
    path: '/api/v1/campaigns/templates/{id}/launch',
    summary: 'Launch a template as a campaign (again: the same campaign)',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: launchBody,
    responses: {
      200: ok(z.object({ campaign: CampaignSchema, workflowId: z.string(), created: z.literal(false) }), 'Already launched'),
      201: { description: 'Launched', schema: z.object({ campaign: CampaignSchema, workflowId: z.string(), created: z.literal(true) }) },
    },
  },
];

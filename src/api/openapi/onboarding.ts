// /api/v1/onboarding — ICP discovery (the client is named in the body or by the job)
import { z } from 'zod';
import { analyzeBody, confirmBody, editBody, jobParams } from '../routes/onboarding';
import { JobStatusSchema } from './models';
import { anyJson, dateTime, nullableDateTime, ok, type ApiOperation } from './spec';

const started = z.object({ jobId: z.string(), workflowId: z.string(), status: z.string(), statusUrl: z.string() });
const icpResult = z.object({ jobId: z.string(), status: z.string(), icp: anyJson });

export const onboardingOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/onboarding/analyze',
    summary: "Start ICP discovery for a client's website",
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: analyzeBody,
    responses: { 202: { description: 'Started', schema: started } },
  },
  {
    method: 'get',
    path: '/api/v1/onboarding/status/{jobId}',
    summary: 'Progress of an ICP discovery job',
    tag: 'onboarding',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          websiteUrl: z.string(),
          status: z.string(),
          step: z.string().nullable(),
          percent: z.number().nullable(),
          completedSteps: z.array(z.string()),
          partial: anyJson,
          expiresAt: z.string().nullable(),
          error: z.string().nullable(),
          confirmedAt: nullableDateTime,
          updatedAt: dateTime,
          source: z.enum(['workflow', 'database']),
        }),
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/onboarding/result/{jobId}',
    summary: 'The suggested (or confirmed) ICP of a job',
    tag: 'onboarding',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          status: JobStatusSchema,
          icp: anyJson,
          suggested: anyJson,
          edits: anyJson,
          expiresAt: nullableDateTime,
          confirmedAt: nullableDateTime,
          analysis: anyJson,
          runs: anyJson,
          scrape: anyJson,
          pages: z.array(z.object({ id: z.string(), url: z.string(), title: z.string().nullable() })),
        }),
      ),
    },
  },
  {
    method: 'post',
    path: '/api/v1/onboarding/edit',
    summary: 'Edit the ICP awaiting confirmation',
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: editBody,
    responses: { 200: ok(icpResult) },
  },
  {
    method: 'post',
    path: '/api/v1/onboarding/confirm',
    summary: 'Confirm the ICP (optionally with last edits)',
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: confirmBody,
    responses: { 200: ok(icpResult) },
  },
];

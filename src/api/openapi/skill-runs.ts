// Marketing skill runs: /api/v1/skills, /feedback, /clients/{clientId}/context and the admin digest
// (runs and outputs are declared with their routes: src/api/routes/runs.ts, outputs.ts).
import { z } from 'zod';
import { createDocBody, docParams, patchDocBody } from '../routes/context-docs';
import { feedbackBody, feedbackQuery } from '../routes/feedback';
import { detectBody, slugParams } from '../routes/skills';
import { uuid } from '../validate';
import { created, dateTime, noContent, ok, pageOf, type ApiOperation } from './spec';

const skillSummary = z.object({
  slug: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  triggers: z.array(z.string()),
  version: z.number().int(),
  hasRules: z.boolean(),
  resources: z.array(z.string()),
  command: z.string(),
  updatedAt: dateTime,
});
const skillDetail = skillSummary.extend({ content: z.string(), rules: z.string().nullable(), files: z.record(z.string(), z.string()), contentHash: z.string() });
const namedClient = z.object({ id: z.string(), name: z.string() });
const detection = z.object({
  skill: z.string().nullable(),
  confidence: z.number(),
  method: z.enum(['command', 'keyword', 'llm', 'none']),
  request: z.string(),
  candidates: z.array(z.object({ slug: z.string(), name: z.string(), confidence: z.number(), matched: z.array(z.string()) })),
  client: namedClient.nullable(),
  clientCandidates: z.array(namedClient),
  note: z.string().nullable(),
});
const feedback = z.object({
  feedbackId: z.string(),
  outputId: z.string(),
  clientId: z.string(),
  skill: z.string(),
  userId: z.string().nullable(),
  overall: z.number().int(),
  accuracy: z.number().int().nullable(),
  quality: z.number().int().nullable(),
  usefulness: z.number().int().nullable(),
  ruleCompliance: z.number().int().nullable(),
  whatWorked: z.string().nullable(),
  issues: z.array(z.string()),
  suggestedRuleChanges: z.string().nullable(),
  source: z.string(),
  createdAt: dateTime,
});
const contextDoc = z.object({
  documentId: z.string(),
  clientId: z.string(),
  path: z.string(),
  title: z.string().nullable(),
  chars: z.number().int(),
  content: z.string().optional(),
  createdAt: dateTime,
  updatedAt: dateTime,
});
const counted = z.array(z.object({ text: z.string(), count: z.number().int() }));
const digest = z.object({
  /** Null (with stored: false) before the first digest is stored: the figures so far. */
  digestId: z.string().nullable(),
  stored: z.boolean(),
  createdAt: dateTime,
  periodStart: dateTime,
  periodEnd: dateTime,
  totalRatings: z.number().int(),
  skills: z.array(
    z.object({
      skill: z.string(),
      ratings: z.number().int(),
      averages: z.object({ overall: z.number(), accuracy: z.number().nullable(), quality: z.number().nullable(), usefulness: z.number().nullable(), ruleCompliance: z.number().nullable() }),
      previousOverall: z.number().nullable(),
      trend: z.enum(['up', 'down', 'flat', 'new']),
      lowShare: z.number(),
      commonIssues: counted,
      suggestedRuleChanges: counted,
      whatWorked: counted,
    }),
  ),
});
const clientParams = z.object({ clientId: uuid });

export const skillRunOperations: ApiOperation[] = [
  { method: 'get', path: '/api/v1/skills', summary: 'The marketing skills', tag: 'skills', access: { kind: 'user' }, responses: { 200: ok(z.object({ data: z.array(skillSummary) })) } },
  {
    method: 'get',
    path: '/api/v1/skills/{slug}',
    summary: 'A skill with its instructions, rules and resources',
    tag: 'skills',
    access: { kind: 'user' },
    params: slugParams,
    responses: { 200: ok(skillDetail) },
  },
  {
    method: 'post',
    path: '/api/v1/skills/detect',
    summary: 'Which skill (and which of your clients) a message asks for',
    description: 'A leading `/slug` command wins; else trigger phrases are matched; below 0.7 confidence a small Claude model chooses (when configured and the client is known).',
    tag: 'skills',
    access: { kind: 'user' },
    body: detectBody,
    responses: { 200: ok(detection) },
  },
  { method: 'post', path: '/api/v1/feedback', summary: 'Rate an output', tag: 'feedback', access: { kind: 'client', role: 'member' }, body: feedbackBody, responses: { 201: created(feedback) } },
  { method: 'get', path: '/api/v1/feedback', summary: "Feedback on your clients' outputs", tag: 'feedback', access: { kind: 'user' }, query: feedbackQuery, responses: { 200: ok(pageOf(feedback)) } },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/context',
    summary: "The client's context documents (without content)",
    tag: 'context',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(z.object({ data: z.array(contextDoc) })) },
  },
  {
    method: 'post',
    path: '/api/v1/clients/{clientId}/context',
    summary: 'Add a context document (e.g. brand/voice.md)',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createDocBody,
    responses: { 201: created(contextDoc) },
  },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/context/{documentId}',
    summary: 'A context document',
    tag: 'context',
    access: { kind: 'client', role: 'viewer' },
    params: docParams,
    responses: { 200: ok(contextDoc) },
  },
  {
    method: 'patch',
    path: '/api/v1/clients/{clientId}/context/{documentId}',
    summary: 'Change a context document',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: docParams,
    body: patchDocBody,
    responses: { 200: ok(contextDoc) },
  },
  {
    method: 'delete',
    path: '/api/v1/clients/{clientId}/context/{documentId}',
    summary: 'Delete a context document',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: docParams,
    responses: { 204: noContent },
  },
  { method: 'get', path: '/api/v1/admin/skills/digest', summary: 'The latest weekly skill feedback digest', tag: 'admin', access: { kind: 'platform-admin' }, responses: { 200: ok(digest) } },
  { method: 'post', path: '/api/v1/admin/skills/digest', summary: 'Build the skill feedback digest now', tag: 'admin', access: { kind: 'platform-admin' }, responses: { 201: created(digest) } },
];


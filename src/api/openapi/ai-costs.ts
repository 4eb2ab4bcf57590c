// AI spend: /api/v1/admin/costs/ai and /api/v1/clients/{clientId}/costs/ai
import { z } from 'zod';
import { adminQuery, daysQuery } from '../routes/ai-costs';
import { uuid } from '../validate';
import { ok, type ApiOperation } from './spec';

const line = { costUsd: z.number(), calls: z.number(), inputTokens: z.number(), outputTokens: z.number() };
const report = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  total: z.object(line),
  byDay: z.array(z.object({ day: z.string(), ...line })),
  bySkill: z.array(z.object({ skill: z.string(), ...line })),
  byModel: z.array(z.object({ model: z.string(), ...line })),
  byClient: z.array(z.object({ clientId: z.string(), clientName: z.string().nullable(), ...line })).optional(),
});
const today = z.object({ clientId: z.string(), day: z.string(), budgetUsd: z.number(), spentUsd: z.number(), remainingUsd: z.number() });

export const aiCostOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/admin/costs/ai',
    summary: 'AI spend by day, skill, model and client',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    query: adminQuery,
    responses: { 200: ok(report) },
  },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/costs/ai',
    summary: "The client's AI spend and today's budget",
    tag: 'costs',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: daysQuery,
    responses: { 200: ok(report.extend({ clientId: z.string(), today })) },
  },
];

// Every operation the API serves, by route group. A route mounted in the app but missing here fails
// test/api/openapi.test.ts; the tenancy matrix (test/api/tenancy-matrix.test.ts) runs over this list.
import { z } from 'zod';
import { campaignOperations } from './campaigns';
import { clientOperations } from './clients';
import { healthOperations } from './health';
import { metricsOperations } from './metrics';
import { keyOperations } from './keys';
import { leadOperations } from './leads';
import { invitationOperations } from './invitations';
import { skillRunOperations } from './skill-runs';
import { adminRoutes } from '../routes/admin';
import { campaignTemplateRoutes } from '../routes/campaign-templates';
import { onboardingRoutes } from '../routes/onboarding';
import { meetingRoutes } from '../routes/meetings';
import { replyRoutes } from '../routes/replies';
import { reviewRoutes } from '../routes/reviews';
import { approvalRoutes } from '../routes/approvals';
import { outboxRoutes } from '../routes/outbox';
import { sendResourceRoutes } from '../routes/send-resources';
import { reportRoutes } from '../routes/reports';
import { auditRoutes } from '../routes/audit';
import { adminStatsRoutes } from '../routes/admin-stats';
import { adminClientRoutes } from '../routes/admin-clients';
import { adminSuppressionRoutes } from '../routes/admin-suppression';
import { adminAiCostRoutes } from '../routes/ai-costs';
import { clientAiCostRoutes } from '../routes/ai-costs';
import { meRoutes } from '../routes/me';
import { adminCreditRoutes, clientCreditRoutes } from '../routes/credits';
import { memberRoutes } from '../routes/members';
import { anyJson, type ApiOperation } from './spec';
import { webhookOperations } from './webhooks';
import { webhookEndpointOperations } from './webhook-endpoints';

const docOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'docs',
    access: { kind: 'public' },
    responses: { 200: { description: 'The document', schema: z.record(z.string(), anyJson) } },
  },
  {
    method: 'get',
    path: '/api/v1/docs',
    summary: 'The API reference as an HTML page',
    tag: 'docs',
    access: { kind: 'public' },
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  },
];

export const allOperations: readonly ApiOperation[] = [
  ...healthOperations,
  ...metricsOperations,
  ...docOperations,
  ...keyOperations,
  ...meRoutes,
  ...clientOperations,
  ...memberRoutes,
  ...invitationOperations,
  ...campaignOperations,
  ...leadOperations,
  ...approvalRoutes,
  ...replyRoutes,
  ...reviewRoutes,
  ...meetingRoutes,
  ...outboxRoutes,
  ...sendResourceRoutes,
  ...adminAiCostRoutes,
  ...clientAiCostRoutes,
  ...reportRoutes,
  ...auditRoutes,
  ...onboardingRoutes,
  ...campaignTemplateRoutes,
  ...adminRoutes,
  ...adminStatsRoutes,
  ...adminClientRoutes,
  ...clientCreditRoutes,
  ...adminCreditRoutes,
  ...adminSuppressionRoutes,
  ...webhookOperations,
  ...skillRunOperations,
  ...webhookEndpointOperations,
];

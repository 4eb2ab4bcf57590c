// Every operation the API serves, by route group. A route mounted in the app but missing here fails
// test/api/openapi.test.ts; the tenancy matrix (test/api/tenancy-matrix.test.ts) runs over this list.
import { z } from 'zod';
import { aiCostOperations } from './ai-costs';
import { approvalOperations } from './approvals';
import { campaignOperations } from './campaigns';
import { clientOperations } from './clients';
import { healthOperations } from './health';
import { metricsOperations } from './metrics';
import { keyOperations } from './keys';
import { leadOperations } from './leads';
import { meOperations } from './me';
import { invitationOperations } from './invitations';
import { memberOperations } from './members';
import { outboxOperations } from './outbox';
import { platformAdminOperations } from './platform-admin';
import { reportOperations } from './reports';
import { sendResourceOperations } from './send-resources';
import { skillRunOperations } from './skill-runs';
import { adminRoutes } from '../routes/admin';
import { campaignTemplateRoutes } from '../routes/campaign-templates';
import { onboardingRoutes } from '../routes/onboarding';
import { meetingRoutes } from '../routes/meetings';
import { replyRoutes } from '../routes/replies';
import { reviewRoutes } from '../routes/reviews';
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
  ...meOperations,
  ...clientOperations,
  ...memberOperations,
  ...invitationOperations,
  ...campaignOperations,
  ...leadOperations,
  ...approvalOperations,
  ...replyRoutes,
  ...reviewRoutes,
  ...meetingRoutes,
  ...outboxOperations,
  ...sendResourceOperations,
  ...aiCostOperations,
  ...reportOperations,
  ...onboardingRoutes,
  ...campaignTemplateRoutes,
  ...adminRoutes,
  ...platformAdminOperations,
  ...webhookOperations,
  ...skillRunOperations,
  ...webhookEndpointOperations,
];

// Every operation the API serves, by route group. A route mounted in the app but missing here fails
// test/api/openapi.test.ts; the tenancy matrix (test/api/tenancy-matrix.test.ts) runs over this list.
import { z } from 'zod';
import { campaignRoutes } from '../routes/campaigns';
import { clientCollectionRoutes, clientRoutes } from '../routes/clients';
import { healthRoutes } from '../routes/health';
import { metricsRoutes } from '../routes/metrics';
import { keyRoutes } from '../routes/keys';
import { invitationAcceptRoutes, invitationRoutes } from '../routes/invitations';
import { skillRoutes } from '../routes/skills';
import { feedbackRoutes } from '../routes/feedback';
import { contextDocRoutes } from '../routes/context-docs';
import { clientSkillRoutes } from '../routes/client-skills';
import { adminSkillRoutes } from '../routes/admin-skills';
import { adminRoutes } from '../routes/admin';
import { campaignTemplateRoutes } from '../routes/campaign-templates';
import { onboardingRoutes } from '../routes/onboarding';
import { meetingRoutes } from '../routes/meetings';
import { leadRoutes } from '../routes/leads';
import { icpRoutes } from '../routes/icp';
import { letterRoutes } from '../routes/letters';
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
import { outputDownloadRoutes, outputRoutes } from '../routes/outputs';
import { runRoutes } from '../routes/runs';
import { playbookRoutes, playbookRunRoutes } from '../routes/playbooks';
import { anyJson } from './spec';
import { openApiDocument } from './document';
import { renderDocsPage } from './docs-page';
import type { ApiDeps } from '../deps';
import { defineRoute, routerFor, type Route } from '../route-table';
import { webhookRoutes } from '../routes/webhooks';
import { unsubscribeRoutes } from '../routes/unsubscribe';
import { webhookEndpointRoutes } from '../routes/webhook-endpoints';

// The document describes itself: these two handlers read `allOperations`, which lists them.
const docsPages = new WeakMap<ApiDeps, string>();
const docRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'docs',
    access: { kind: 'public' },
    responses: { 200: { description: 'The document', schema: z.record(z.string(), anyJson) } },
    handler: ({ res, deps }) => {
      res.json(openApiDocument(allOperations, deps.version));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/docs',
    summary: 'The API reference as an HTML page',
    tag: 'docs',
    access: { kind: 'public' },
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    handler: ({ res, deps }) => {
      let docsPage = docsPages.get(deps);
      if (!docsPage) docsPages.set(deps, (docsPage = renderDocsPage(openApiDocument(allOperations, deps.version))));
      res.type('html').send(docsPage);
    },
  }),
];

/** GET /api/v1/openapi.json and GET /api/v1/docs (public: the API's shape is not a secret). */
export const openApiRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1', docRoutes);

// Typed as routes: an operation can only be documented by the declaration that serves it.
export const allOperations: readonly Route[] = [
  ...healthRoutes,
  ...metricsRoutes,
  ...docRoutes,
  ...keyRoutes,
  ...meRoutes,
  ...clientCollectionRoutes,
  ...clientRoutes,
  ...memberRoutes,
  ...invitationRoutes,
  ...invitationAcceptRoutes,
  ...campaignRoutes,
  ...leadRoutes,
  ...icpRoutes,
  ...letterRoutes,
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
  ...webhookRoutes,
  ...unsubscribeRoutes,
  ...skillRoutes,
  ...feedbackRoutes,
  ...contextDocRoutes,
  ...clientSkillRoutes,
  ...adminSkillRoutes,
  ...runRoutes,
  ...playbookRoutes,
  ...playbookRunRoutes,
  ...outputRoutes,
  ...outputDownloadRoutes,
  ...webhookEndpointRoutes,
];

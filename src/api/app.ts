// The Express application: request ids, logging, security headers, body limits, routes, errors.
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { authenticate, requirePlatformAdmin } from './auth';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './errors';
import { adminRouter } from './routes/admin';
import { healthRouter } from './routes/health';
import { onboardingRouter } from './routes/onboarding';
import { campaignTemplatesRouter } from './routes/campaign-templates';
import { adminAiCostsRouter, clientAiCostsRouter } from './routes/ai-costs';
import { approvalsRouter } from './routes/approvals';
import { campaignsRouter } from './routes/campaigns';
import { leadsRouter } from './routes/leads';
import { icpRouter } from './routes/icp';
import { lettersRouter } from './routes/letters';
import { outboxRouter } from './routes/outbox';
import { repliesRouter } from './routes/replies';
import { reviewsRouter } from './routes/reviews';
import { meetingsRouter } from './routes/meetings';
import { sendResourcesRouter } from './routes/send-resources';
import { unsubscribeRouter } from './routes/unsubscribe';
import { webhooksRouter } from './routes/webhooks';
import { cors } from './cors';
import { requestLog } from './request-log';
import { requestMetrics } from './request-metrics';
import { requestTracing } from './request-tracing';
import { metricsRouter } from './routes/metrics';
import { rateLimit, userRateLimit } from './rate-limit';
import { rejectNulCharacters } from './input-guard';
import { openApiRouter } from './openapi/operations';
import { keysRouter } from './routes/keys';
import { meRouter } from './routes/me';
import { clientRouter, clientsCollectionRouter, requireLiveClient } from './routes/clients';
import { adminCreditsRouter, clientCreditsRouter } from './routes/credits';
import { membersRouter } from './routes/members';
import { invitationAcceptRouter, invitationsRouter } from './routes/invitations';
import { reportsRouter } from './routes/reports';
import { auditRouter } from './routes/audit';
import { adminStatsRouter } from './routes/admin-stats';
import { adminClientsRouter } from './routes/admin-clients';
import { adminSuppressionRouter } from './routes/admin-suppression';
import { skillsRouter } from './routes/skills';
import { runsRouter } from './routes/runs';
import { playbookRunsRouter, playbooksRouter } from './routes/playbooks';
import { outputDownloadRouter, outputsRouter } from './routes/outputs';
import { feedbackRouter } from './routes/feedback';
import { contextDocsRouter } from './routes/context-docs';
import { clientSkillsRouter } from './routes/client-skills';
import { adminSkillsRouter } from './routes/admin-skills';
import { webhookEndpointsRouter } from './routes/webhook-endpoints';

export const BODY_LIMIT = '256kb';
/** Enough for the largest documented bodies: 10,000 lead ids to enrol (~390 kB of JSON) and a
 * 100,000-character context document (up to 3 bytes a character in UTF-8, more when escaped). */
export const LARGE_BODY_LIMIT = '1mb';
const LARGE_BODY_ROUTES = /^\/api\/v1\/clients\/[^/]+\/(campaigns\/[^/]+\/leads|context(\/[^/]+)?)$/;
/** A skill's files may total 1 MB of UTF-8 (checked by the route: 413 past it); JSON escaping adds to that. */
export const SKILL_BODY_LIMIT = '4mb';
const SKILL_WRITE_ROUTES = /^\/api\/v1\/(clients\/[^/]+\/)?skills(\/[^/]+)?$/;

// Webhook answers go to providers' servers, not browsers: of helmet's headers only this one applies.
const noSniff: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (none by default): anyone
  // else could pick their own address and so their own per-IP rate limit.
  app.set('trust proxy', deps.config.TRUST_PROXY.length ? deps.config.TRUST_PROXY : false);
  // First, so the span covers everything the request costs (and is the context of all of it).
  if (deps.tracing) app.use(requestTracing(app));
  // Health probes and scrapes come every few seconds: not worth an access-log line each.
  app.use(requestLog(app, deps.logger.child({ component: 'api' }), (req) => req.url.startsWith('/api/v1/health') || req.path === '/metrics'));
  app.use(requestMetrics(app));
  const json = express.json({ limit: BODY_LIMIT });
  // Every API-key route: the key verified, then the per-user limit (all of the user's keys together).
  const auth = authenticate(deps.db, { afterAuth: userRateLimit(deps.config.RATE_LIMIT_PER_USER) });

  // Provider webhooks: no API key (each route verifies its provider's own credentials, then parses
  // its body), no browser concerns (CORS, helmet's page headers) and no request rate limit
  // (providers deliver in bursts from few addresses; failed authentications are limited per IP).
  // Mounted first so a burst of deliveries pays for none of that.
  app.use('/api/v1/webhooks', noSniff, webhooksRouter(deps));
  // Prometheus: its own optional token (METRICS_TOKEN), no API key, no rate limit.
  app.use('/metrics', noSniff, metricsRouter(deps));

  app.use(cors(deps.config.CORS_ORIGINS));
  app.use(helmet());
  // Before body parsing, so a refused request costs nothing more.
  app.use(rateLimit({ perKey: deps.config.RATE_LIMIT_PER_KEY, perIp: deps.config.RATE_LIMIT_PER_IP }));
  // Bulk lead imports parse their own (larger, JSON or CSV) bodies: up to BULK_BODY_LIMIT. Routes
  // whose documented maxima do not fit BODY_LIMIT get LARGE_BODY_LIMIT.
  const largeJson = express.json({ limit: LARGE_BODY_LIMIT });
  const skillJson = express.json({ limit: SKILL_BODY_LIMIT });
  app.use((req, res, next) =>
    /\/leads\/bulk$/.test(req.path)
      ? next()
      : LARGE_BODY_ROUTES.test(req.path)
        ? largeJson(req, res, next)
        : SKILL_WRITE_ROUTES.test(req.path)
          ? skillJson(req, res, next)
          : json(req, res, next),
  );

  // One-click unsubscribe: no API key, the signed token is the credential.
  app.use('/u', unsubscribeRouter(deps));

  const v1 = express.Router();
  // API-key routes only: provider webhooks above store their payloads as their own code decides.
  v1.use(rejectNulCharacters);
  v1.use(healthRouter(deps));
  v1.use(openApiRouter(deps));
  // Redeeming an invitation: the emailed token is the credential (an API key is optional).
  v1.use('/invitations', invitationAcceptRouter(deps));
  // Direct-mail PDFs for the print provider: the signed, expiring link is the credential.
  v1.use('/letters', lettersRouter(deps));
  v1.use('/keys', auth, keysRouter(deps));
  // The caller's own chat channels (Telegram linking).
  v1.use('/me', auth, meRouter(deps));
  v1.use(clientsCollectionRouter(deps, auth));
  v1.use('/admin/stats', auth, requirePlatformAdmin, adminStatsRouter(deps));
  v1.use('/admin/clients', auth, requirePlatformAdmin, adminClientsRouter(deps));
  v1.use('/admin/clients', auth, requirePlatformAdmin, adminCreditsRouter(deps));
  v1.use('/admin/suppression', auth, requirePlatformAdmin, adminSuppressionRouter(deps));
  v1.use('/admin/costs', auth, requirePlatformAdmin, adminAiCostsRouter(deps));
  v1.use('/admin/skills', auth, requirePlatformAdmin, adminSkillsRouter(deps));
  v1.use('/admin', auth, requirePlatformAdmin, adminRouter(deps));
  v1.use('/onboarding', auth, onboardingRouter(deps));
  v1.use('/campaigns', auth, campaignTemplatesRouter(deps));
  // Marketing skill runs (the client is named in the body, query or the object).
  v1.use('/skills', auth, skillsRouter(deps));
  v1.use('/runs', auth, runsRouter(deps));
  v1.use('/playbooks', auth, playbooksRouter(deps));
  v1.use('/playbook-runs', auth, playbookRunsRouter(deps));
  // A signed download link is its own credential (no API key); the rest of /outputs needs one.
  v1.use('/outputs', outputDownloadRouter(deps));
  v1.use('/outputs', auth, outputsRouter(deps));
  v1.use('/feedback', auth, feedbackRouter(deps));
  const tenant = express.Router({ mergeParams: true });
  tenant.use(requireLiveClient(deps.db));
  tenant.use(clientRouter(deps));
  tenant.use('/icp', icpRouter(deps));
  tenant.use('/members', membersRouter(deps));
  tenant.use('/invitations', invitationsRouter(deps));
  tenant.use('/reports', reportsRouter(deps));
  tenant.use('/audit', auditRouter(deps));
  tenant.use('/campaigns', campaignsRouter(deps));
  tenant.use('/leads', leadsRouter(deps));
  tenant.use('/approvals', approvalsRouter(deps));
  tenant.use('/replies', repliesRouter(deps));
  tenant.use('/reviews', reviewsRouter(deps));
  tenant.use('/meetings', meetingsRouter(deps));
  tenant.use('/outbox', outboxRouter(deps));
  tenant.use('/resources', sendResourcesRouter(deps));
  tenant.use('/costs', clientAiCostsRouter(deps));
  tenant.use('/context', contextDocsRouter(deps));
  tenant.use('/skills', clientSkillsRouter(deps));
  tenant.use('/webhook-endpoints', webhookEndpointsRouter(deps));
  tenant.use('/credits', clientCreditsRouter(deps));
  v1.use('/clients/:clientId', auth, tenant);
  app.use('/api/v1', v1);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

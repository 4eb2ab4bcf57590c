// The Express application: request ids, logging, security headers, body limits, routes, errors.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { authenticate, requirePlatformAdmin } from './auth';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './errors';
import { adminRouter } from './routes/admin';
import { healthRouter } from './routes/health';
import { approvalsRouter } from './routes/approvals';
import { campaignsRouter } from './routes/campaigns';
import { leadsRouter } from './routes/leads';
import { outboxRouter } from './routes/outbox';
import { sendResourcesRouter } from './routes/send-resources';

export const BODY_LIMIT = '256kb';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger.child({ component: 'api' }),
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url?.startsWith('/api/v1/health') ?? false },
    }),
  );
  app.use(helmet());
  const json = express.json({ limit: BODY_LIMIT });
  // Bulk lead imports parse their own (larger, JSON or CSV) bodies: up to BULK_BODY_LIMIT.
  app.use((req, res, next) => (/\/leads\/bulk$/.test(req.path) ? next() : json(req, res, next)));

  const v1 = express.Router();
  v1.use(healthRouter(deps));
  v1.use('/admin', authenticate(deps.db), requirePlatformAdmin, adminRouter(deps));
  const tenant = express.Router({ mergeParams: true });
  tenant.use('/campaigns', campaignsRouter(deps));
  tenant.use('/leads', leadsRouter(deps));
  tenant.use('/approvals', approvalsRouter(deps));
  tenant.use('/outbox', outboxRouter(deps));
  tenant.use('/resources', sendResourcesRouter(deps));
  v1.use('/clients/:clientId', authenticate(deps.db), tenant);
  app.use('/api/v1', v1);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

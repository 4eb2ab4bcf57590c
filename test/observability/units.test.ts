// The pieces of logging and metrics that need no servers: the log format choice, the bundler's
// logger, the scrape token check and the route-pattern label. (AOS_UNIT_ONLY=1 runs these alone.)
import express from 'express';
import request from 'supertest';
import { captureLogger } from '../harness/stack';
import { resolveLogFormat } from '../../src/logger';
import { BundlerLogger } from '../../temporal/pino-logger';
import { joinExpositions, scrapeAllowed } from '../../src/observability/metrics';
import { requestMetrics } from '../../src/api/request-metrics';
import { httpRequestDuration } from '../../src/observability/metrics';
import { parsePrometheus, total } from '../harness/prometheus';
import { registry } from '../../src/observability/metrics';

describe('log format', () => {
  it('is readable lines at a terminal and JSON in a pipe, unless LOG_FORMAT says otherwise', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat(undefined, undefined)).toBe('json'); // stdout closed or not a stream
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('puts the workflow bundler report at debug, keeps its errors', () => {
    const { logger, lines } = captureLogger('info');
    const bundler = new BundlerLogger(logger);
    bundler.info('asset workflow-bundle-abc.js 1.2 MiB [emitted]\nwebpack 5 compiled successfully');
    bundler.info('Workflow bundle created', { size: '1.20MB' });
    bundler.error('Module not found: fs');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 50, msg: 'Module not found: fs' });
    const all = captureLogger('debug');
    new BundlerLogger(all.logger).info('webpack 5 compiled successfully');
    expect(JSON.parse(all.lines[0])).toMatchObject({ level: 20 });
  });
});

describe('scrape token', () => {
  it('lets anyone scrape without METRICS_TOKEN, and only the bearer of it with one', () => {
    expect(scrapeAllowed(undefined, undefined)).toBe(true);
    const token = 'scrape-token-0123456789';
    expect(scrapeAllowed(undefined, token)).toBe(false);
    expect(scrapeAllowed('Bearer wrong-token-0123456789', token)).toBe(false);
    expect(scrapeAllowed(`Basic ${token}`, token)).toBe(false);
    expect(scrapeAllowed(`Bearer ${token}`, token)).toBe(true);
    expect(scrapeAllowed(`bearer  ${token}`, token)).toBe(true);
  });

  it('joins two expositions line-safely', () => {
    expect(joinExpositions('a 1', '', 'b 2\n')).toBe('a 1\nb 2\n');
  });
});

describe('request duration labels', () => {
  function app() {
    const a = express();
    a.use(requestMetrics(a));
    const tenant = express.Router({ mergeParams: true });
    tenant.get('/leads', (_req, res) => void res.json([]));
    tenant.get('/leads/bulk', (_req, res) => void res.json({}));
    tenant.get('/leads/:leadId', (_req, res) => void res.status(404).json({}));
    const v1 = express.Router();
    // Refused before its route (as the API-key check does): still labelled by the pattern it fits.
    v1.use('/clients/:clientId', (req, res, next) => (req.headers.authorization ? next() : void res.status(401).end()), tenant);
    a.use('/api/v1', v1);
    return a;
  }

  const count = (route: string, status: string) =>
    registry.metrics().then((t) => total(parsePrometheus(t), 'agency_os_http_request_duration_seconds_count', { route, status }));

  it('uses the route pattern, never the ids in the URL', async () => {
    httpRequestDuration.reset();
    const a = app();
    const auth = { Authorization: 'x' };
    await request(a).get('/api/v1/clients/c-1111/leads?limit=5').set(auth).expect(200);
    await request(a).get('/api/v1/clients/c-2222/leads').set(auth).expect(200);
    await request(a).get('/api/v1/clients/c-3333/leads/bulk').set(auth).expect(200);
    await request(a).get('/api/v1/clients/c-4444/leads/l-5555').set(auth).expect(404);
    await request(a).get('/api/v1/clients/c-6666/leads').expect(401);
    await request(a).get('/nothing/here/c-7777').expect(404);
    expect(await count('/api/v1/clients/{clientId}/leads', '200')).toBe(2);
    expect(await count('/api/v1/clients/{clientId}/leads/bulk', '200')).toBe(1);
    expect(await count('/api/v1/clients/{clientId}/leads/{leadId}', '404')).toBe(1);
    expect(await count('/api/v1/clients/{clientId}/leads', '401')).toBe(1);
    expect(await count('unmatched', '404')).toBe(1);
    const text = await registry.metrics();
    expect(text).not.toMatch(/c-\d{4}|l-5555/);
  });
});

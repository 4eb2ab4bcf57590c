// The OpenAPI document covers every mounted route, is valid OpenAPI 3.1 in shape, serves a docs page
// without external assets, and documents the responses the API really gives.
import request from 'supertest';
import { mountedRoutes } from '../../src/api/openapi/mounted-routes';
import { allOperations } from '../../src/api/openapi/operations';
import { findOperation, responseProblems } from '../../src/api/openapi/conformance';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('OpenAPI completeness', () => {
  it('documents every route mounted in the app', () => {
    const mounted = mountedRoutes(stack.app);
    expect(mounted.length).toBeGreaterThan(40);
    const documented = new Set(allOperations.map((o) => `${o.method} ${o.path}`));
    const missing = mounted.map((r) => `${r.method} ${r.path}`).filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
  });

  it('documents no route the app does not serve', () => {
    const mounted = new Set(mountedRoutes(stack.app).map((r) => `${r.method} ${r.path}`));
    const stale = allOperations.map((o) => `${o.method} ${o.path}`).filter((k) => !mounted.has(k));
    expect(stale).toEqual([]);
  });

  it('has one operation per method and path, each with a success response', () => {
    const keys = allOperations.map((o) => `${o.method} ${o.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const op of allOperations) expect(Object.keys(op.responses).some((s) => Number(s) < 400)).toBe(true);
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('serves an OpenAPI 3.1 document without an API key', async () => {
    const res = await request(stack.app).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.components.securitySchemes.bearerApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const op = res.body.paths['/api/v1/clients/{clientId}/campaigns'].post;
    expect(op['x-access']).toBe('client:member');
    expect(op.requestBody.content['application/json'].schema.properties.name).toMatchObject({ type: 'string', maxLength: 200 });
    expect(op.responses.default.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    const ids = Object.values(res.body.paths).flatMap((item) => Object.values(item as Record<string, { operationId: string }>).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expectConforms('get', '/api/v1/openapi.json', res);
  });

  it('serves a self-contained HTML docs page', async () => {
    const res = await request(stack.app).get('/api/v1/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('/api/v1/clients/{clientId}/campaigns');
    expect(res.text).toContain('client:member');
    // No external scripts or styles: the API runs offline.
    expect(res.text).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('response conformance helper', () => {
  it('matches concrete paths before templates and checks bodies against the schemas', async () => {
    expect(findOperation('post', '/api/v1/clients/00000000-0000-4000-8000-000000000000/campaigns/00000000-0000-4000-8000-000000000001/leads')?.path).toBe(
      '/api/v1/clients/{clientId}/campaigns/{campaignId}/leads',
    );
    expect(findOperation('post', '/api/v1/clients/x/campaigns/y/pause')?.path).toBe('/api/v1/clients/{clientId}/campaigns/{campaignId}/{action}');
    const bad = responseProblems('get', '/api/v1/health', { status: 200, body: { status: 'ok' }, headers: { 'content-type': 'application/json' } });
    expect(bad.join()).toMatch(/version/);
    const undocumented = responseProblems('get', '/api/v1/health', { status: 201, body: {}, headers: { 'content-type': 'application/json' } });
    expect(undocumented.join()).toMatch(/not documented/);
  });

  it('accepts real responses of several routes', async () => {
    const { client, auth } = await createClientWithUser(stack.db);
    const lead = await createLead(stack.db, client.id);
    const calls: Array<[string, string]> = [
      ['get', '/api/v1/health'],
      ['get', '/api/v1/health/live'],
      ['get', '/api/v1/health/ready'],
      ['get', `/api/v1/clients/${client.id}`],
      ['get', `/api/v1/clients/${client.id}/leads`],
      ['get', `/api/v1/clients/${client.id}/leads/${lead.id}`],
      ['get', `/api/v1/clients/${client.id}/campaigns`],
      ['get', `/api/v1/clients/${client.id}/resources`],
      ['get', `/api/v1/clients/${client.id}/outbox`],
      ['get', `/api/v1/clients/${client.id}/approvals`],
      ['get', `/api/v1/clients/${client.id}/costs/ai`],
      ['get', `/api/v1/clients/${client.id}/icp`],
      ['get', `/api/v1/clients/${client.id}/members`],
      ['get', `/api/v1/clients/${client.id}/reports/overview`],
      ['get', `/api/v1/clients/${client.id}/audit`],
      ['get', '/api/v1/clients'],
      ['get', '/api/v1/keys'],
    ];
    for (const [method, path] of calls) {
      const res = await request(stack.app).get(path).set(auth);
      expect(`${method} ${path} ${res.status}`).toMatch(/ 200$/);
      expectConforms(method, path, res);
    }
    // Errors conform too.
    expectConforms('get', `/api/v1/clients/${client.id}/leads/nope`, await request(stack.app).get(`/api/v1/clients/${client.id}/leads/nope`).set(auth));
    expectConforms(
      'post',
      `/api/v1/clients/${client.id}/campaigns`,
      await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ nope: 1 }),
    );
  });
});

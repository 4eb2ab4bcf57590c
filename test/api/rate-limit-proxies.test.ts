// Who the rate limits count (issue 13 item 9): X-Forwarded-For only from the proxies TRUST_PROXY
// names (none by default), IPv6 clients by /56, and every key of one user together.
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { addressKey } from '../../src/api/rate-limit';
import { ConfigError, loadConfig } from '../../src/config';
import { createApiKey } from '../../src/engines/api-keys';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

function appWith(env: Record<string, string>): Express {
  const parsed = loadConfig(env);
  const changed = Object.fromEntries(Object.keys(env).map((k) => [k, parsed[k as keyof typeof parsed]]));
  return createApp({
    config: { ...stack.config, ...changed },
    logger: stack.logger,
    db: stack.db,
    temporal: stack.temporal,
    taskQueue: stack.taskQueue,
    version: 'test',
  });
}

/** The limits count in fixed wall-clock minutes: keep a counted run inside one. */
async function clearOfMinuteBoundary(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe('TRUST_PROXY', () => {
  it('is empty by default and refuses entries that are not addresses, ranges or known names', () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8 ,192.0.2.7' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '1.2.3']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
    }
  });

  it('by default ignores X-Forwarded-For, even from loopback: a made-up address does not get a fresh limit', async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_IP: '3' });
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/keys').set('X-Forwarded-For', `203.0.113.${i}`).expect(401);
    const limited = await request(app).get('/api/v1/keys').set('X-Forwarded-For', '203.0.113.99').expect(429);
    expect(limited.body.error.details).toMatchObject({ scope: 'ip', limit: 3 });
  });

  it('believes X-Forwarded-For from a named proxy, and counts IPv6 clients by /56', async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_IP: '2', TRUST_PROXY: 'loopback' });
    const from = (ip: string) => request(app).get('/api/v1/keys').set('X-Forwarded-For', ip);
    await from('203.0.113.1').expect(401);
    await from('203.0.113.1').expect(401);
    await from('203.0.113.1').expect(429);
    await from('203.0.113.2').expect(401); // another client behind the proxy has its own count
    // Two addresses of one /56 share a count; the next /56 does not.
    await from('2001:db8:aa:bb01::1').expect(401);
    await from('2001:db8:aa:bbff:1234::9').expect(401);
    await from('2001:db8:aa:bb42::7').expect(429);
    await from('2001:db8:aa:cc00::1').expect(401);
  });
});

describe('addressKey', () => {
  it('groups IPv6 by /56 and leaves IPv4 (mapped or not) alone', () => {
    expect(addressKey('2001:db8:aa:bb01::1')).toBe('2001:db8:aa:bb00::/56');
    expect(addressKey('2001:0db8:00aa:bbff:ffff:ffff:ffff:ffff')).toBe('2001:db8:aa:bb00::/56');
    expect(addressKey('::1')).toBe('0:0:0:0::/56');
    expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('per-user limit', () => {
  it("counts all of a user's keys together (minting keys does not buy more requests)", async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '100', RATE_LIMIT_PER_USER: '3', RATE_LIMIT_PER_IP: '0' });
    const a = await createClientWithUser(stack.db);
    const second = { Authorization: `Bearer ${(await createApiKey(stack.db, { userId: a.user.id, name: 'second' })).key}` };
    await request(app).get('/api/v1/keys').set(a.auth).expect(200);
    await request(app).get('/api/v1/keys').set(a.auth).expect(200);
    const third = await request(app).get('/api/v1/keys').set(second).expect(200);
    expect(third.headers['ratelimit-limit']).toBe('3');
    expect(third.headers['ratelimit-remaining']).toBe('0');
    const limited = await request(app).get('/api/v1/keys').set(second).expect(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'user', limit: 3 } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another user is unaffected, and health checks are never limited.
    const b = await createClientWithUser(stack.db);
    await request(app).get('/api/v1/keys').set(b.auth).expect(200);
    await request(app).get('/api/v1/health/live').set(a.auth).expect(200);
  });
});

import { ConfigError, loadConfig, SECRET_KEYS } from '../src/config';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      DATA_DIR: '.data',
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'agency-os',
      PG_PORT: 5432,
      LOG_LEVEL: 'info',
      ROLE: 'all',
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('reads REVIEW_STALE_AFTER as a duration (default a day) and refuses anything else', () => {
    expect(loadConfig({}).REVIEW_STALE_AFTER).toBe(86_400_000);
    expect(loadConfig({ REVIEW_STALE_AFTER: '30m' }).REVIEW_STALE_AFTER).toBe(1_800_000);
    expect(loadConfig({ REVIEW_STALE_AFTER: '2d' }).REVIEW_STALE_AFTER).toBe(172_800_000);
    for (const bad of ['24', '1w', '-1h', '1.5h']) expect(() => loadConfig({ REVIEW_STALE_AFTER: bad })).toThrow(/REVIEW_STALE_AFTER/);
  });

  it('reads the observability variables: LOG_FORMAT, METRICS_TOKEN, WORKER_METRICS_PORT', () => {
    const d = loadConfig({});
    expect(d.LOG_FORMAT).toBeUndefined(); // decided by whether stdout is a terminal
    expect(d.METRICS_TOKEN).toBeUndefined();
    expect(d.WORKER_METRICS_PORT).toBe(9464);
    const c = loadConfig({ LOG_FORMAT: 'pretty', METRICS_TOKEN: 'scrape-token-0123456789', WORKER_METRICS_PORT: '0' });
    expect(c).toMatchObject({ LOG_FORMAT: 'pretty', METRICS_TOKEN: 'scrape-token-0123456789', WORKER_METRICS_PORT: 0 });
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ WORKER_METRICS_PORT: '70000' })).toThrow(/WORKER_METRICS_PORT/);
    let caught: unknown;
    try {
      loadConfig({ METRICS_TOKEN: 'short-secret' });
    } catch (err) {
      caught = err;
    }
    expect((caught as ConfigError).message).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
    expect((caught as ConfigError).message).not.toContain('short-secret');
    expect(SECRET_KEYS).toContain('METRICS_TOKEN');
  });

  it('reads the skill-run limits and the download link lifetime, refusing malformed values', () => {
    expect(loadConfig({})).toMatchObject({ SKILL_RUNS_PER_HOUR: 30, SKILL_RUN_LIMITS: {}, OUTPUT_LINK_TTL_SECONDS: 3600 });
    expect(loadConfig({ SKILL_RUNS_PER_HOUR: '0', SKILL_RUN_LIMITS: '{"page-cro": 5, "ad-copy": 0}' })).toMatchObject({
      SKILL_RUNS_PER_HOUR: 0,
      SKILL_RUN_LIMITS: { 'page-cro': 5, 'ad-copy': 0 },
    });
    for (const bad of ['[5]', '{"page-cro": -1}', '{"page-cro": 1.5}', '{"page-cro": "5"}', 'page-cro=5'])
      expect(() => loadConfig({ SKILL_RUN_LIMITS: bad })).toThrow(/SKILL_RUN_LIMITS/);
    expect(() => loadConfig({ OUTPUT_LINK_TTL_SECONDS: '10' })).toThrow(/OUTPUT_LINK_TTL_SECONDS/);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' }).PORT).toBe(3000);
  });

  it('names every offending variable at once, never their values', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        TEMPORAL_UI_PORT: '70000',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        TEMPORAL_ADDRESS: 'no-port-here',
        LOG_LEVEL: 'loud',
        SIGNING_SECRET: 'short',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    const named = err.problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SIGNING_SECRET', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_PORT']);
    expect(err.message).not.toContain('hunter2');
  });

  it('accepts external servers', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/agency', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(c.DATABASE_URL).toBe('postgresql://u:p@db:5432/agency');
    expect(c.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
});

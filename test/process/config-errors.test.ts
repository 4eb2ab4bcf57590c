import { startMain } from '../harness/process';

describe('start-up with bad configuration', () => {
  it('exits 1 with one message naming every bad variable and no stack trace', async () => {
    const main = startMain({ PORT: 'abc', TEMPORAL_ADDRESS: 'nope', DATABASE_URL: 'http://x:secretpw@h/db' });
    const code = await main.exited;
    const out = main.output();
    expect(code).toBe(1);
    expect(out).toContain('Invalid configuration');
    expect(out).toMatch(/PORT:/);
    expect(out).toMatch(/TEMPORAL_ADDRESS:/);
    expect(out).toMatch(/DATABASE_URL:/);
    expect(out).not.toContain('secretpw');
    expect(out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});

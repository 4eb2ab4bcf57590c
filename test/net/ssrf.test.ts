// The SSRF guard under DNS rebinding: a resolver that answers a public address to the first
// question and 127.0.0.1 to every later one (what an attacker's DNS server does with a zero TTL).
// A guard that checks the name and then lets fetch resolve it again connects to loopback; ours
// checks the address at connect time, so the loopback server below must never see a request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalCrawler, StartPageError } from '../../src/engines/icp-scraper';
import { postRunCallback } from '../../src/engines/skill-runs/callback';
import { BlockedHostError, createGuardedFetch, isPrivateAddress, type Resolver } from '../../src/net/ssrf';

let server: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>internal</title><body>secret</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits.length = 0;
});

/** Public on the first question, loopback afterwards; counts the questions. */
function rebindingResolver(): Resolver & { calls: number } {
  const resolver = Object.assign(
    async (): Promise<Array<{ address: string; family: number }>> => {
      resolver.calls++;
      return resolver.calls === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    },
    { calls: 0 },
  );
  return resolver;
}

describe('SSRF guard against DNS rebinding', () => {
  it('refuses the connection when the name resolves to loopback at connect time', async () => {
    const resolve = rebindingResolver();
    const guarded = createGuardedFetch({ allowPrivateHosts: false, resolve });
    try {
      const err = await guarded(`http://rebind.test:${port}/admin`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlockedHostError);
      expect((err as Error).message).toMatch(/rebind\.test resolves to a private or reserved address \(127\.0\.0\.1\)/);
      // Asked twice: the early check (public) and the connection (loopback), which was refused.
      expect(resolve.calls).toBe(2);
      expect(hits).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('checks every request, not once per host (the crawler used to trust a host for the whole crawl)', async () => {
    const resolve = rebindingResolver();
    const err = await createLocalCrawler({ resolve })
      .crawl(`http://rebind.test:${port}/`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartPageError);
    expect((err as StartPageError).permanent).toBe(true);
    expect((err as Error).message).toMatch(/private or reserved address \(127\.0\.0\.1\)/);
    expect(hits).toEqual([]);
  });

  it('never posts a skill-run callback to the rebound address', async () => {
    const resolve = rebindingResolver();
    const payload = {
      event: 'skill_run.finished' as const,
      runId: 'r',
      clientId: 'c',
      skill: 's',
      status: 'completed' as const,
      outputId: null,
      title: null,
      error: null,
    };
    const err = await postRunCallback(`http://hooks.rebind.test:${port}/hook`, payload, { secret: 's', allowPrivateHosts: false, resolve }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ type: 'CallbackRefused', nonRetryable: true, message: expect.stringMatching(/127\.0\.0\.1/) });
    expect(hits).toEqual([]);
  });

  it('refuses private IP literals, which are never looked up', async () => {
    const guarded = createGuardedFetch({ allowPrivateHosts: false, resolve: rebindingResolver() });
    try {
      for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]']) {
        await expect(guarded(`http://${host}:${port}/`)).rejects.toBeInstanceOf(BlockedHostError);
      }
      expect(hits).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('lets private addresses through only when the operator allows them', async () => {
    const guarded = createGuardedFetch({ allowPrivateHosts: true });
    try {
      expect((await guarded(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
      expect(hits).toEqual(['GET /ok']);
    } finally {
      await guarded.close();
    }
  });

  it('treats NAT64, 6to4 and Teredo prefixes as private (they reach embedded IPv4 addresses)', () => {
    for (const a of ['64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '2002:7f00:1::1', '2002:c0a8:101::1', '2001:0:4136:e378::1', '::7f00:1']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '8.8.8.8']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });
});

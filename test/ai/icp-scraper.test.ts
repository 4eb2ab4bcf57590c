// The ICP scraper against a small static agency website served by the test (home, services,
// portfolio with client logos, a case study, about, contact, blog; robots.txt disallowing one page).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApifyCrawler,
  createLocalCrawler,
  parseHtml,
  parseRobots,
  isAllowed,
  scrapeSite,
  loadPages,
  StartPageError,
} from '../../src/engines/icp-scraper';
import { isPrivateAddress } from '../../src/net/ssrf';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { startTestSite, type TestSite } from './helpers/site';

let site: TestSite;
let database: TestDatabase;
beforeAll(async () => {
  site = await startTestSite([
    (req, res) => {
      if (req.url === '/huge.html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html><head><title>Huge | Brightwave Digital</title></head><body><h1>Huge</h1><p>${'word '.repeat(400_000)}</p></body></html>`);
        return true;
      }
      if (req.url === '/slow.html') return true; // never answers
      if (req.url === '/elsewhere.html') {
        res.writeHead(302, { location: 'https://example.org/' }).end();
        return true;
      }
      return false;
    },
  ]);
  database = await createTestDatabase();
});
afterAll(async () => {
  await site?.close();
  await database?.drop();
});

const crawler = () => createLocalCrawler({ allowPrivateHosts: true });
const pathOf = (u: string) => new URL(u).pathname;

describe('local crawler', () => {
  it('crawls the same origin, most informative pages first, and respects robots.txt', async () => {
    site.requests.length = 0;
    const res = await crawler().crawl(site.url);
    expect(res.robots).toBe('found');
    const paths = res.pages.map((p) => pathOf(p.url));
    expect(paths[0]).toBe('/');
    expect(paths).toEqual(expect.arrayContaining(['/services.html', '/portfolio.html', '/about.html', '/contact.html', '/case-studies/smile-bright.html']));
    // Services and portfolio before about, about before contact, contact before the blog.
    expect(paths.indexOf('/services.html')).toBeLessThan(paths.indexOf('/about.html'));
    expect(paths.indexOf('/about.html')).toBeLessThan(paths.indexOf('/contact.html'));
    expect(paths.indexOf('/contact.html')).toBeLessThan(paths.indexOf('/blog/'));

    // The disallowed page and directory were never requested; nor were assets, legal pages or other sites.
    expect(site.requests).not.toContain('/private.html');
    expect(site.requests.some((r) => r.startsWith('/admin'))).toBe(false);
    expect(site.requests).not.toContain('/brochure.pdf');
    expect(site.requests).not.toContain('/privacy.html');
    expect(site.requests.filter((r) => r === '/robots.txt')).toHaveLength(1);
    expect(res.skipped).toEqual(
      expect.arrayContaining([
        { url: `${site.url}/private.html`, reason: 'disallowed by robots.txt' },
        { url: `${site.url}/admin/`, reason: 'disallowed by robots.txt' },
        { url: `${site.url}/team.html`, reason: 'HTTP 404' },
      ]),
    );
    expect(res.pages.map((p) => p.text).join('\n')).not.toContain('SECRET-PRIVATE-PAGE');
    // The tracking parameter on the hero link did not create a second contact page.
    expect(paths.filter((p) => p === '/contact.html')).toHaveLength(1);
  });

  it('turns HTML into structured text', async () => {
    const res = await crawler().crawl(site.url, { maxPages: 1 });
    const home = res.pages[0];
    expect(home.title).toBe('Brightwave Digital | Patient Growth Marketing for Dental & Health Clinics');
    const lines = home.text.split('\n');
    expect(lines[0]).toMatch(/^> Brightwave Digital helps dental practices/);
    expect(lines).toContain('# More patients. Less guesswork.');
    expect(lines).toContain('## Results our clients see');
    expect(lines).toContain('- 212% average increase in booked appointments');
    expect(lines).toContain('[image: Smile Bright Dental logo]');
    expect(home.text).not.toMatch(/dataLayer|font-family/);
    // Navigation menus are dropped (their links are still followed).
    expect(lines).not.toContain('- Our Work');
    expect(home.text).toContain('(02) 9000 1234');
  });

  it('enforces page, byte and time limits', async () => {
    const few = await crawler().crawl(site.url, { maxPages: 3 });
    expect(few.pages).toHaveLength(3);
    expect(few.skipped.filter((s) => s.reason === 'page limit reached').length).toBeGreaterThan(0);

    const huge = await crawler().crawl(`${site.url}/huge.html`, { maxPages: 1, maxBytesPerPage: 50_000, maxTextChars: 10_000 });
    expect(huge.pages[0].bytes).toBe(50_000);
    expect(huge.pages[0].truncated).toBe(true);
    expect(huge.pages[0].text.length).toBeLessThanOrEqual(10_000);

    const started = Date.now();
    await expect(crawler().crawl(`${site.url}/slow.html`, { requestTimeoutMs: 300 })).rejects.toThrow(/could not fetch .*slow\.html: fetch failed/);
    expect(Date.now() - started).toBeLessThan(5_000);

    await expect(crawler().crawl(`${site.url}/elsewhere.html`)).rejects.toMatchObject({
      name: 'StartPageError',
      permanent: true,
      message: expect.stringMatching(/redirects off-site to https:\/\/example\.org/),
    });
  });

  it('refuses private and loopback addresses unless allowed (SSRF guard)', async () => {
    const err = await createLocalCrawler()
      .crawl(site.url)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartPageError);
    expect((err as StartPageError).permanent).toBe(true);
    expect((err as Error).message).toMatch(/127\.0\.0\.1 resolves to a private or reserved address/);
    expect(site.requests.length).toBeGreaterThan(0);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:10.0.0.1', '0.0.0.0']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '1.1.1.1']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });
});

describe('robots.txt', () => {
  it('applies the most specific group and the longest matching rule', () => {
    const robots = parseRobots(
      ['User-agent: *', 'Disallow: /private', 'Allow: /private/ok$', 'Disallow: /*.pdf$', '', 'User-agent: AgencyOSBot', 'Disallow: /no-bots'].join('\n'),
      'agencyosbot',
    );
    // Our own group replaces the * group entirely.
    expect(isAllowed(robots, '/private/page')).toBe(true);
    expect(isAllowed(robots, '/no-bots/x')).toBe(false);

    const star = parseRobots(
      ['User-agent: *', 'Disallow: /private', 'Allow: /private/ok$', 'Disallow: /*.pdf$', 'Allow: /a', 'Disallow: /a'].join('\n'),
      'agencyosbot',
    );
    expect(isAllowed(star, '/private/page')).toBe(false);
    expect(isAllowed(star, '/private/ok')).toBe(true);
    expect(isAllowed(star, '/private/ok/more')).toBe(false);
    expect(isAllowed(star, '/files/report.pdf')).toBe(false);
    expect(isAllowed(star, '/files/report.pdf?x=1')).toBe(true);
    expect(isAllowed(star, '/a')).toBe(true); // Allow wins a tie
    expect(isAllowed(star, '/robots.txt')).toBe(true);
    // Wildcard-heavy rules are matched without exponential backtracking.
    const hostile = parseRobots(`User-agent: *\nDisallow: /${'*a'.repeat(40)}b`, 'agencyosbot');
    const t = Date.now();
    expect(isAllowed(hostile, `/${'a'.repeat(3000)}`)).toBe(true);
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('treats an unreachable robots.txt as disallow-all and a missing one as allow-all', async () => {
    const down = await startTestSite([
      (req, res) => {
        if (req.url === '/robots.txt') {
          res.writeHead(503).end();
          return true;
        }
        return false;
      },
    ]);
    try {
      const res = await crawler().crawl(down.url);
      expect(res).toMatchObject({ robots: 'unreachable', pages: [], skipped: [{ url: `${down.url}/`, reason: 'disallowed by robots.txt' }] });
      expect(down.requests).toEqual(['/robots.txt']);
    } finally {
      await down.close();
    }
    const missing = await startTestSite([
      (req, res) => {
        if (req.url === '/robots.txt') {
          res.writeHead(404).end();
          return true;
        }
        return false;
      },
    ]);
    try {
      const res = await crawler().crawl(missing.url, { maxPages: 30 });
      expect(res.robots).toBe('missing');
      expect(res.pages.map((p) => pathOf(p.url))).toContain('/private.html');
    } finally {
      await missing.close();
    }
  });
});

describe('scrapeSite', () => {
  it('stores pages in scraped_pages keyed by job and url; a retry rewrites the same rows', async () => {
    const client = await database.db.client.create({ data: { name: 'Brightwave', slug: 'brightwave' } });
    const job = await database.db.onboardingJob.create({ data: { clientId: client.id, websiteUrl: site.url } });
    const first = await scrapeSite(database.db, crawler(), { clientId: client.id, jobId: job.id, websiteUrl: site.url });
    expect(first.pageCount).toBeGreaterThanOrEqual(7);
    expect(first.pageIds).toHaveLength(first.pageCount);
    expect(first.skipped.some((s) => s.reason === 'disallowed by robots.txt')).toBe(true);
    const again = await scrapeSite(database.db, crawler(), { clientId: client.id, jobId: job.id, websiteUrl: site.url });
    expect(again.pageIds).toEqual(first.pageIds);
    const pages = await loadPages(database.db, job.id);
    expect(pages).toHaveLength(first.pageCount);
    expect(pages.find((p) => pathOf(p.url) === '/portfolio.html')?.text).toContain('[image: Coastal Legal logo]');
  });

  it('fails permanently when robots.txt disallows the whole site', async () => {
    const closed = await startTestSite([
      (req, res) => {
        if (req.url === '/robots.txt') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /\n');
          return true;
        }
        return false;
      },
    ]);
    try {
      const client = await database.db.client.create({ data: { name: 'Closed', slug: 'closed' } });
      const job = await database.db.onboardingJob.create({ data: { clientId: client.id, websiteUrl: closed.url } });
      await expect(scrapeSite(database.db, crawler(), { clientId: client.id, jobId: job.id, websiteUrl: closed.url })).rejects.toMatchObject({
        permanent: true,
        message: expect.stringMatching(/no page of .* could be read .*disallowed by robots\.txt/),
      });
      expect(closed.requests).toEqual(['/robots.txt']);
    } finally {
      await closed.close();
    }
  });
});

describe('parseHtml', () => {
  it('cuts pathological nesting short instead of spending minutes of CPU on it', () => {
    const started = Date.now();
    const page = parseHtml(
      `<html><body><h1>Top</h1><ul>${Array.from({ length: 3000 }, (_, i) => `<li>item ${i}`).join('')}</ul>${'<div>'.repeat(100_000)}deep${'</div>'.repeat(100_000)}</body></html>`,
      'https://x.example/',
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(page.text.split('\n')[0]).toBe('# Top');
    // Unclosed list items (valid HTML) are not mistaken for nesting.
    expect(page.text.split('\n').filter((l) => /^- item \d+$/.test(l))).toHaveLength(3000);
    expect(page.text).not.toContain('deep');
  });

  it('keeps headings, lists, tables and image alts; resolves links; drops scripts and forms', () => {
    const page = parseHtml(
      `<html><head><base href="/sub/"><meta name="robots" content="noindex"></head><body>
        <h2>Plans <img src="x.png" alt="Star"></h2><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>$99</td></tr></table>
        <ul><li><p>First</p></li><li>Second <b>bold</b></li></ul>
        <a href="page.html#top">Rel</a><a href="mailto:x@y.z">Mail</a><a href="https://other.example/x" rel="nofollow">NF</a>
        <form><label>Email</label><input></form><script>var x = 1;</script></body></html>`,
      'http://site.example/dir/index.html',
    );
    expect(page.text.split('\n')).toEqual(['## Plans', '[image: Star]', 'Plan | Price', 'Basic | $99', '- First', '- Second bold', 'Rel Mail NF']);
    expect(page.links).toEqual([{ url: 'http://site.example/sub/page.html', text: 'Rel' }]);
    expect(page.robots).toEqual({ noindex: true, nofollow: false });
  });
});

describe('Apify driver', () => {
  it('runs the website crawler actor and keeps same-origin pages robots.txt allows', async () => {
    const calls: Array<{ url: string; auth: string | undefined; body: Record<string, unknown> }> = [];
    const apify = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += String(c)));
      req.on('end', () => {
        calls.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(raw) as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([
            { url: `${site.url}/`, markdown: '# More patients. Less guesswork.', metadata: { title: 'Home' } },
            { url: `${site.url}/services.html`, text: 'SEO and Google Ads', metadata: { title: 'Services' } },
            { url: `${site.url}/private.html`, text: 'SECRET-PRIVATE-PAGE', metadata: { title: 'Private' } },
            { url: 'https://elsewhere.example/', text: 'other site' },
          ]),
        );
      });
    });
    await new Promise<void>((r) => apify.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(apify.address() as AddressInfo).port}`;
      const res = await createApifyCrawler({ token: 'apify-token', baseUrl: base }).crawl(site.url, { maxPages: 5 });
      expect(calls[0].url).toMatch(/^\/v2\/acts\/apify~website-content-crawler\/run-sync-get-dataset-items\?timeout=\d+/);
      expect(calls[0].auth).toBe('Bearer apify-token');
      expect(calls[0].body).toMatchObject({ startUrls: [{ url: site.url }], maxCrawlPages: 5, respectRobotsTxtFile: true });
      expect(res.driver).toBe('apify');
      expect(res.pages.map((p) => [pathOf(p.url), p.title, p.text])).toEqual([
        ['/', 'Home', '# More patients. Less guesswork.'],
        ['/services.html', 'Services', 'SEO and Google Ads'],
      ]);
      expect(res.skipped).toEqual([
        { url: `${site.url}/private.html`, reason: 'disallowed by robots.txt' },
        { url: 'https://elsewhere.example/', reason: 'off-site' },
      ]);
    } finally {
      await new Promise<void>((r) => apify.close(() => r()));
    }
  });
});

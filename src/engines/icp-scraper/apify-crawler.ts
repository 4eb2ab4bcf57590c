// The Apify driver behind SiteCrawler: Apify crawls, this keeps only same-origin pages that our
// own robots.txt reading allows (so both drivers answer the same question the same way).
import { apifyCrawlSite, type ApifySettings } from '../../integrations/apify';
import { DEFAULT_LIMITS, normalizeUrl, StartPageError, USER_AGENT, type CrawledPage, type CrawlSkip, type SiteCrawler } from './crawler';
import { ALLOW_ALL, DISALLOW_ALL, isAllowed, parseRobots, type Robots } from './robots';

export function createApifyCrawler(settings: ApifySettings): SiteCrawler {
  const doFetch = settings.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
  async function robotsFor(origin: string): Promise<Robots> {
    try {
      const r = await doFetch(`${origin}/robots.txt`, { headers: { 'user-agent': USER_AGENT }, signal: AbortSignal.timeout(10_000) });
      if (r.ok) return parseRobots(await r.text(), 'agencyosbot');
      return r.status < 500 ? ALLOW_ALL : DISALLOW_ALL;
    } catch {
      // robots.txt unreachable (network error or timeout): crawl nothing rather than ignore it.
      return DISALLOW_ALL;
    }
  }
  return {
    name: 'apify',
    async crawl(startUrl, partial) {
      const limits = { ...DEFAULT_LIMITS, ...partial };
      const origin = new URL(startUrl).origin;
      const robots = await robotsFor(origin);
      const items = await apifyCrawlSite(settings, {
        startUrl,
        maxPages: limits.maxPages,
        maxDepth: limits.maxDepth,
        timeoutSecs: Math.ceil(limits.totalTimeoutMs / 1000),
      });
      const pages: CrawledPage[] = [];
      const skipped: CrawlSkip[] = [];
      const seen = new Set<string>();
      for (const item of items) {
        let u: URL;
        try {
          u = new URL(item.url);
        } catch {
          // An item whose url is not a URL (TypeError): nothing to crawl.
          continue;
        }
        const key = normalizeUrl(u);
        if (seen.has(key)) continue;
        seen.add(key);
        if (u.origin !== origin) skipped.push({ url: key, reason: 'off-site' });
        else if (!isAllowed(robots, u.pathname + u.search)) skipped.push({ url: key, reason: 'disallowed by robots.txt' });
        else if (pages.length >= limits.maxPages) skipped.push({ url: key, reason: 'page limit reached' });
        else {
          pages.push({
            url: key,
            title: item.title,
            text: item.text.slice(0, limits.maxTextChars),
            bytes: Buffer.byteLength(item.text),
            depth: 0,
            truncated: item.text.length > limits.maxTextChars,
          });
        }
      }
      if (pages.length === 0) throw new StartPageError(`Apify returned no readable pages for ${startUrl}`, true);
      return { startUrl, origin, driver: 'apify', robots: robots.status, pages, skipped, totalBytes: pages.reduce((s, p) => s + p.bytes, 0) };
    },
  };
}

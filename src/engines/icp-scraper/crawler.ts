// The local site crawler: fetch + cheerio, same origin only, robots.txt respected, page/byte/depth
// limits, per-request and overall timeouts. Pages that tell most about a business (services,
// portfolio/clients, about/team, industries) are fetched first; blog archives, legal pages and
// assets are skipped or deferred. Drivers (this one, Apify) implement SiteCrawler.
import { TextDecoder } from 'node:util';
import { parseHtml } from './html';
import { ALLOW_ALL, DISALLOW_ALL, isAllowed, parseRobots, type Robots } from './robots';
import { BlockedHostError, createGuardedFetch, type GuardedFetch, type Resolver } from '../../net/ssrf';

export interface CrawlLimits {
  maxPages: number;
  maxDepth: number;
  /** Bytes read per response; the rest is not downloaded. */
  maxBytesPerPage: number;
  maxTotalBytes: number;
  /** Per request. */
  requestTimeoutMs: number;
  /** For the whole crawl. */
  totalTimeoutMs: number;
  /** Characters of structured text kept per page. */
  maxTextChars: number;
}

export const DEFAULT_LIMITS: CrawlLimits = {
  maxPages: 20,
  maxDepth: 3,
  maxBytesPerPage: 1_500_000,
  maxTotalBytes: 10_000_000,
  requestTimeoutMs: 10_000,
  totalTimeoutMs: 90_000,
  maxTextChars: 40_000,
};

export interface CrawledPage {
  url: string;
  title: string | null;
  text: string;
  bytes: number;
  depth: number;
  truncated: boolean;
}

export interface CrawlSkip {
  url: string;
  reason: string;
}

export interface CrawlResult {
  startUrl: string;
  origin: string;
  driver: string;
  robots: Robots['status'];
  pages: CrawledPage[];
  skipped: CrawlSkip[];
  totalBytes: number;
}

export interface SiteCrawler {
  readonly name: string;
  crawl(startUrl: string, limits?: Partial<CrawlLimits>): Promise<CrawlResult>;
}

/** The start page could not be fetched; `permanent` when retrying cannot help (4xx, blocked host, off-site). */
export class StartPageError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'StartPageError';
  }
}

export interface LocalCrawlerOptions {
  userAgent?: string;
  allowPrivateHosts?: boolean;
  /** DNS for the SSRF guard (tests answer what a rebinding DNS server would). */
  resolve?: Resolver;
}

export const USER_AGENT = 'AgencyOSBot/1.0 (+https://agency-os.example/bot; ICP discovery)';
const ROBOTS_TOKEN = 'agencyosbot';

const ASSET =
  /\.(pdf|jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|mov|avi|webm|wav|zip|gz|tar|rar|7z|exe|dmg|css|js|mjs|json|xml|rss|atom|txt|csv|xlsx?|docx?|pptx?|woff2?|ttf|eot)$/i;
const LOW_VALUE =
  /\/(wp-admin|wp-login|wp-json|cart|checkout|my-account|account|login|signin|sign-in|register|feed|tag|tags|category|author|search|privacy|terms|cookie|legal|disclaimer|sitemap)(\.[a-z]+)?(\/|$)|\/page\/\d+/i;
const BLOG = /\/(blog|news|insights|articles|posts|resources|podcast|events)(\/|$)/i;
const MAX_BLOG_PAGES = 3;

const PRIORITY: Array<[RegExp, number]> = [
  [/servic|what-we-do|solutions|capabilit|offering|expertise/i, 10],
  [/portfolio|our-work|\/work(\/|$)|case-stud|clients|projects|results|success|testimonial/i, 10],
  [/industr|sectors|who-we-help|who-we-serve|speciali[sz]/i, 9],
  [/about|team|people|who-we-are|our-story|company|leadership/i, 9],
  [/contact|locations|offices/i, 5],
  [/pricing|packages|plans/i, 5],
  [/careers|jobs|join-us/i, 3],
];

function priorityOf(url: URL, anchor: string, depth: number): number {
  const hay = `${url.pathname} ${anchor}`.toLowerCase().replace(/\s+/g, '-');
  let score = 2;
  for (const [re, points] of PRIORITY) if (re.test(hay)) score = Math.max(score, points);
  if (BLOG.test(url.pathname)) score = 1;
  return score - depth * 2;
}

const TRACKING = /^(utm_[a-z]+|fbclid|gclid|msclkid|mc_[a-z]+|ref|_hs[a-z]+)$/i;

/** Canonical form used to avoid fetching a page twice. */
export function normalizeUrl(input: string | URL): string {
  const u = new URL(input.toString());
  u.hash = '';
  u.hostname = u.hostname.toLowerCase();
  for (const key of [...u.searchParams.keys()]) if (TRACKING.test(key)) u.searchParams.delete(key);
  u.searchParams.sort();
  // The path is left alone: `/admin` and `/admin/` are different to robots.txt.
  return u.toString();
}

/** example.com ⇄ www.example.com (same protocol and port): the one cross-host redirect followed, at the start. */
function isWwwVariant(a: URL, b: URL): boolean {
  const strip = (h: string) => h.replace(/^www\./, '');
  return a.port === b.port && strip(a.hostname) === strip(b.hostname) && a.hostname !== b.hostname;
}

interface Fetched {
  status: number;
  contentType: string;
  body: string;
  bytes: number;
  truncated: boolean;
  location?: string;
}

export function createLocalCrawler(opts: LocalCrawlerOptions = {}): SiteCrawler {
  const userAgent = opts.userAgent ?? USER_AGENT;

  async function get(fetchImpl: GuardedFetch, url: URL, limits: CrawlLimits, deadline: number, accept: string): Promise<Fetched> {
    const timeout = Math.max(1, Math.min(limits.requestTimeoutMs, deadline - Date.now()));
    const res = await fetchImpl(url.toString(), {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout),
      headers: { 'user-agent': userAgent, accept },
    });
    const contentType = res.headers.get('content-type') ?? '';
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      return { status: res.status, contentType, body: '', bytes: 0, truncated: false, location: res.headers.get('location') ?? undefined };
    }
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    let truncated = false;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const room = limits.maxBytesPerPage - bytes;
        if (value.byteLength >= room) {
          chunks.push(value.subarray(0, room));
          bytes += room;
          truncated = true;
          await reader.cancel();
          break;
        }
        chunks.push(value);
        bytes += value.byteLength;
      }
    }
    const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().toLowerCase() ?? 'utf-8';
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      // A charset TextDecoder does not know (RangeError): read it as UTF-8.
      decoder = new TextDecoder('utf-8');
    }
    const buf = new Uint8Array(bytes);
    let offset = 0;
    for (const c of chunks) {
      buf.set(c, offset);
      offset += c.byteLength;
    }
    return { status: res.status, contentType, body: decoder.decode(buf), bytes, truncated };
  }

  async function loadRobots(fetchImpl: GuardedFetch, origin: string, limits: CrawlLimits, deadline: number): Promise<Robots> {
    try {
      const r = await get(fetchImpl, new URL('/robots.txt', origin), { ...limits, maxBytesPerPage: 500_000 }, deadline, 'text/plain,*/*;q=0.5');
      if (r.status >= 200 && r.status < 300) return parseRobots(r.body, ROBOTS_TOKEN);
      if (r.status >= 300 && r.status < 500) return ALLOW_ALL;
      return DISALLOW_ALL;
    } catch (err) {
      if (err instanceof BlockedHostError) throw new StartPageError(err.message, true);
      return DISALLOW_ALL;
    }
  }

  return {
    name: 'local',
    async crawl(startUrl, partial) {
      // Every request (each redirect hop included) is checked where its socket connects, never
      // trusted from an earlier answer for the same host.
      const fetchImpl = createGuardedFetch({ allowPrivateHosts: opts.allowPrivateHosts ?? false, resolve: opts.resolve });
      try {
        return await crawlWith(fetchImpl, startUrl, partial);
      } finally {
        await fetchImpl.close();
      }
    },
  };

  async function crawlWith(fetchImpl: GuardedFetch, startUrl: string, partial?: Partial<CrawlLimits>): Promise<CrawlResult> {
    const limits = { ...DEFAULT_LIMITS, ...partial };
    const started = Date.now();
    const deadline = started + limits.totalTimeoutMs;
    let start = new URL(startUrl);
    if (start.protocol !== 'http:' && start.protocol !== 'https:') throw new StartPageError(`not an http(s) URL: ${startUrl}`, true);
    let origin = start.origin;
    let robots = await loadRobots(fetchImpl, origin, limits, deadline);

    const pages: CrawledPage[] = [];
    const skipped: CrawlSkip[] = [];
    const seen = new Set<string>();
    let totalBytes = 0;
    let blogPages = 0;
    let order = 0;
    const queue: Array<{ url: URL; depth: number; score: number; order: number }> = [];
    const enqueue = (u: URL, depth: number, anchor: string) => {
      const key = normalizeUrl(u);
      if (seen.has(key)) return;
      seen.add(key);
      queue.push({ url: new URL(key), depth, score: depth === 0 ? 100 : priorityOf(u, anchor, depth), order: order++ });
    };
    enqueue(start, 0, '');

    let delayMs = Math.min(robots.crawlDelaySeconds ?? 0, 5) * 1000;
    let first = true;
    while (queue.length && pages.length < limits.maxPages) {
      if (Date.now() >= deadline) {
        skipped.push(...queue.map((q) => ({ url: q.url.toString(), reason: 'crawl time limit reached' })));
        break;
      }
      if (totalBytes >= limits.maxTotalBytes) {
        skipped.push(...queue.map((q) => ({ url: q.url.toString(), reason: 'total byte limit reached' })));
        break;
      }
      queue.sort((a, b) => b.score - a.score || a.order - b.order);
      const item = queue.shift()!;
      let url = item.url;
      if (!isAllowed(robots, url.pathname + url.search)) {
        skipped.push({ url: url.toString(), reason: 'disallowed by robots.txt' });
        continue;
      }
      if (BLOG.test(url.pathname) && item.depth > 0 && ++blogPages > MAX_BLOG_PAGES) {
        skipped.push({ url: url.toString(), reason: 'blog page limit reached' });
        continue;
      }
      if (!first && delayMs) await new Promise((r) => setTimeout(r, delayMs));

      let res: Fetched | undefined;
      let error: string | undefined;
      for (let hops = 0; hops <= 5; hops++) {
        try {
          res = await get(fetchImpl, url, limits, deadline, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1');
        } catch (err) {
          error = err instanceof BlockedHostError ? err.message : `fetch failed: ${(err as Error).message}`;
          if (first && err instanceof BlockedHostError) throw new StartPageError(err.message, true);
          res = undefined;
          break;
        }
        if (!res.location) break;
        const next = new URL(res.location, url);
        if (next.origin !== origin) {
          if (first && isWwwVariant(next, new URL(origin))) {
            // The site lives on its www (or bare) host: crawl that origin instead.
            origin = next.origin;
            robots = await loadRobots(fetchImpl, origin, limits, deadline);
            delayMs = Math.min(robots.crawlDelaySeconds ?? 0, 5) * 1000;
            start = next;
          } else {
            error = `redirects off-site to ${next.origin}`;
            res = undefined;
            break;
          }
        }
        if (!isAllowed(robots, next.pathname + next.search)) {
          error = 'redirect target disallowed by robots.txt';
          res = undefined;
          break;
        }
        url = next;
        seen.add(normalizeUrl(next));
        if (hops === 5) error = 'too many redirects';
      }
      const wasFirst = first;
      first = false;
      if (!res || res.location) {
        skipped.push({ url: url.toString(), reason: error ?? 'too many redirects' });
        if (wasFirst) throw new StartPageError(`could not fetch ${startUrl}: ${error ?? 'too many redirects'}`, !/^fetch failed/.test(error ?? ''));
        continue;
      }
      totalBytes += res.bytes;
      if (res.status !== 200) {
        skipped.push({ url: url.toString(), reason: `HTTP ${res.status}` });
        if (wasFirst) throw new StartPageError(`could not fetch ${startUrl}: HTTP ${res.status}`, res.status >= 400 && res.status < 500 && res.status !== 429);
        continue;
      }
      if (!/text\/html|application\/xhtml\+xml/i.test(res.contentType)) {
        skipped.push({ url: url.toString(), reason: `not HTML (${res.contentType || 'no content type'})` });
        continue;
      }
      const parsed = parseHtml(res.body, url.toString());
      if (parsed.robots.noindex) skipped.push({ url: url.toString(), reason: 'noindex' });
      else {
        pages.push({
          url: normalizeUrl(url),
          title: parsed.title,
          text: parsed.text.slice(0, limits.maxTextChars),
          bytes: res.bytes,
          depth: item.depth,
          truncated: res.truncated || parsed.text.length > limits.maxTextChars,
        });
      }
      if (item.depth >= limits.maxDepth || parsed.robots.nofollow) continue;
      for (const link of parsed.links) {
        let u: URL;
        try {
          u = new URL(link.url);
        } catch {
          // A link that is not a URL (TypeError): skip it.
          continue;
        }
        if (u.origin !== origin) continue;
        if (ASSET.test(u.pathname) || LOW_VALUE.test(u.pathname)) continue;
        enqueue(u, item.depth + 1, link.text);
      }
    }
    if (pages.length >= limits.maxPages && queue.length) {
      skipped.push(...queue.map((q) => ({ url: q.url.toString(), reason: 'page limit reached' })));
    }
    return { startUrl: start.toString(), origin, driver: 'local', robots: robots.status, pages, skipped, totalBytes };
  }
}

// Apify: runs the Website Content Crawler actor synchronously and returns its dataset items
// (fetch; base URL configurable for tests and proxies). Only the ICP scraper driver uses it here.
export interface ApifySettings {
  token: string;
  baseUrl?: string;
  /** Actor id; `~` separates owner and name in API paths. */
  actor?: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export interface ApifyCrawlRequest {
  startUrl: string;
  maxPages: number;
  maxDepth: number;
  timeoutSecs: number;
}

export interface ApifyPage {
  url: string;
  title: string | null;
  /** Markdown when the actor produced it, else plain text. */
  text: string;
}

export class ApifyError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ApifyError';
  }
}

export const DEFAULT_APIFY_BASE_URL = 'https://api.apify.com';
export const WEBSITE_CRAWLER_ACTOR = 'apify~website-content-crawler';

interface DatasetItem {
  url?: string;
  text?: string;
  markdown?: string;
  metadata?: { title?: string; canonicalUrl?: string };
}

export async function apifyCrawlSite(s: ApifySettings, req: ApifyCrawlRequest): Promise<ApifyPage[]> {
  const base = (s.baseUrl ?? DEFAULT_APIFY_BASE_URL).replace(/\/+$/, '');
  const actor = s.actor ?? WEBSITE_CRAWLER_ACTOR;
  const url = `${base}/v2/acts/${encodeURIComponent(actor).replace('%7E', '~')}/run-sync-get-dataset-items?timeout=${req.timeoutSecs}&format=json&clean=true`;
  const doFetch = s.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        startUrls: [{ url: req.startUrl }],
        maxCrawlPages: req.maxPages,
        maxCrawlDepth: req.maxDepth,
        crawlerType: 'cheerio',
        respectRobotsTxtFile: true,
        saveMarkdown: true,
        removeCookieWarnings: true,
      }),
      signal: AbortSignal.timeout((req.timeoutSecs + 30) * 1000),
    });
  } catch (err) {
    throw new ApifyError(`Apify unreachable: ${(err as Error).message}`, undefined, true);
  }
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).slice(0, 300);
    throw new ApifyError(`Apify ${res.status}: ${body}`, res.status, res.status === 408 || res.status === 429 || res.status >= 500);
  }
  const items = (await res.json()) as DatasetItem[];
  if (!Array.isArray(items)) throw new ApifyError('Apify returned no dataset items', res.status, true);
  return items.filter((i) => typeof i.url === 'string').map((i) => ({ url: i.url!, title: i.metadata?.title ?? null, text: i.markdown ?? i.text ?? '' }));
}

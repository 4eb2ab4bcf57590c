// ICP scraper engine (data fetching only): crawls the client's website with a SiteCrawler driver
// and stores each page's structured text in `scraped_pages`, keyed by (job, url) so a retried
// activity rewrites the same rows. Workflows get page ids and counts back, never page text.
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { createApifyCrawler } from './apify-crawler';
import { createLocalCrawler, StartPageError, type CrawlLimits, type CrawlSkip, type SiteCrawler } from './crawler';

export * from './crawler';
export { createApifyCrawler } from './apify-crawler';
export { parseHtml } from './html';
export { isAllowed, parseRobots } from './robots';

export interface ScrapeSummary {
  jobId: string;
  driver: string;
  origin: string;
  robots: string;
  pageIds: string[];
  pageCount: number;
  totalBytes: number;
  /** At most 50 skipped URLs with their reasons. */
  skipped: CrawlSkip[];
  skippedCount: number;
}

export interface StoredPage {
  id: string;
  url: string;
  title: string | null;
  text: string;
}

export function crawlerFromConfig(
  config: Pick<Config, 'ICP_SCRAPER_DRIVER' | 'ICP_SCRAPER_ALLOW_PRIVATE_HOSTS' | 'APIFY_TOKEN' | 'APIFY_BASE_URL'>,
): SiteCrawler {
  if (config.ICP_SCRAPER_DRIVER === 'apify') {
    if (!config.APIFY_TOKEN) throw new Error('ICP_SCRAPER_DRIVER=apify needs APIFY_TOKEN');
    return createApifyCrawler({ token: config.APIFY_TOKEN, baseUrl: config.APIFY_BASE_URL });
  }
  return createLocalCrawler({ allowPrivateHosts: config.ICP_SCRAPER_ALLOW_PRIVATE_HOSTS });
}

export async function scrapeSite(
  db: Db,
  crawler: SiteCrawler,
  job: { clientId: string; jobId: string; websiteUrl: string },
  limits?: Partial<CrawlLimits>,
): Promise<ScrapeSummary> {
  const result = await crawler.crawl(job.websiteUrl, limits);
  if (result.pages.length === 0) {
    const why = result.skipped
      .slice(0, 3)
      .map((s) => `${s.url}: ${s.reason}`)
      .join('; ');
    throw new StartPageError(`no page of ${job.websiteUrl} could be read${why ? ` (${why})` : ''}`, true);
  }
  const pageIds: string[] = [];
  for (const p of result.pages) {
    const row = await db.scrapedPage.upsert({
      where: { jobId_url: { jobId: job.jobId, url: p.url } },
      create: { clientId: job.clientId, jobId: job.jobId, url: p.url, title: p.title, text: p.text },
      update: { title: p.title, text: p.text, fetchedAt: new Date() },
      select: { id: true },
    });
    pageIds.push(row.id);
  }
  // A retry that found fewer pages must not leave the earlier attempt's extras behind.
  await db.scrapedPage.deleteMany({ where: { jobId: job.jobId, id: { notIn: pageIds } } });
  return {
    jobId: job.jobId,
    driver: result.driver,
    origin: result.origin,
    robots: result.robots,
    pageIds,
    pageCount: pageIds.length,
    totalBytes: result.totalBytes,
    skipped: result.skipped.slice(0, 50),
    skippedCount: result.skipped.length,
  };
}

/** The job's pages in crawl order (the order they were stored). */
export async function loadPages(db: Db, jobId: string): Promise<StoredPage[]> {
  const rows = await db.scrapedPage.findMany({ where: { jobId }, orderBy: [{ fetchedAt: 'asc' }, { url: 'asc' }] });
  return rows.map((r) => ({ id: r.id, url: r.url, title: r.title, text: r.text }));
}

// Tools a skill may give Claude during a run (declared in the skill's front-matter, `tools:`).
// fetch_page reads one web page (the client's page to audit, a competitor's) through the ICP
// scraper's crawler: the SSRF guard (public addresses only unless ICP_SCRAPER_ALLOW_PRIVATE_HOSTS),
// robots.txt, byte and time limits, and the same text extraction. One page per call, a few calls
// per run, the text cut to a size that leaves room for the deliverable.
import { z } from 'zod';
import type { LoopTool } from '../ai/tool-loop';
import type { SiteCrawler } from '../icp-scraper';
import type { SkillTool } from './library';

export const FETCH_PAGE = 'fetch_page';
/** Characters of page text handed to Claude per fetch. */
export const PAGE_TEXT_CHARS = 10_000;
/** Pages one run may fetch. */
export const MAX_FETCHES_PER_RUN = 5;

const FetchPageInput = z.object({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
    .describe('The full URL of the page, e.g. https://example.com/pricing'),
});

export function fetchPageTool(crawler: SiteCrawler, opts: { maxFetches?: number } = {}): LoopTool<z.infer<typeof FetchPageInput>> {
  const maxFetches = opts.maxFetches ?? MAX_FETCHES_PER_RUN;
  let fetched = 0;
  return {
    name: FETCH_PAGE,
    description:
      'Fetch one public web page and return its title and visible text (headings, paragraphs, links, buttons). ' +
      'Use it to read the page, site or competitor named in the request before writing about it. ' +
      `At most ${maxFetches} pages per request; the text is cut at ${PAGE_TEXT_CHARS} characters.`,
    input: FetchPageInput,
    async run({ url }) {
      if (fetched >= maxFetches) throw new Error(`page limit reached (${maxFetches} per request): write with what you have`);
      fetched++;
      const result = await crawler.crawl(url, {
        maxPages: 1,
        maxDepth: 0,
        totalTimeoutMs: 20_000,
        requestTimeoutMs: 10_000,
        maxBytesPerPage: 1_500_000,
        maxTextChars: PAGE_TEXT_CHARS,
      });
      const page = result.pages[0];
      if (!page) {
        const why = result.skipped[0]?.reason ?? 'no readable HTML';
        throw new Error(`could not read ${url}: ${why}`);
      }
      return [`URL: ${page.url}`, `Title: ${page.title ?? '(none)'}`, page.truncated ? `(text cut at ${PAGE_TEXT_CHARS} characters)` : null, '', page.text]
        .filter((l) => l !== null)
        .join('\n');
    },
  };
}

/** The loop tools for a skill's declared tools (those this process can provide). */
export function toolsForSkill(declared: readonly string[], deps: { crawler: SiteCrawler | null }): Array<LoopTool<{ url: string }>> {
  const out: Array<LoopTool<{ url: string }>> = [];
  for (const name of declared as SkillTool[]) {
    if (name === FETCH_PAGE && deps.crawler) out.push(fetchPageTool(deps.crawler));
  }
  return out;
}

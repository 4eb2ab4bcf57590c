// website-parser: scraped pages → what each page is (home, services, portfolio…), its headings and a
// summary, plus the business's name, tagline and contact details.
// Offline: page kind from the URL path, then title/first heading keywords; company name from the
// title segment repeated across pages (else the domain); contacts by pattern (emails, AU/intl
// phone formats) and a gazetteer of cities counted by mention.
import { z } from 'zod';
import { defineSkill, pagesForPrompt } from '../skill';
import { firstSentence, headings, metaDescription, pathOf, placesIn, proseLines, titleCase, truncate, unique, wordCount } from '../text';

export const PAGE_KINDS = [
  'home', 'services', 'portfolio', 'case_study', 'about', 'team', 'industries', 'contact', 'careers', 'pricing', 'blog', 'other',
] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

export const ScrapedPageInput = z.object({
  url: z.string().url(),
  title: z.string().nullable().optional(),
  text: z.string().max(60_000),
});

export const WebsiteParserInput = z.object({
  websiteUrl: z.string().url(),
  pages: z.array(ScrapedPageInput).min(1).max(60),
});

export const ParsedPageSchema = z.object({
  url: z.string(),
  kind: z.enum(PAGE_KINDS),
  title: z.string().max(300).nullable(),
  headings: z.array(z.string().max(200)).max(25),
  summary: z.string().max(400),
  wordCount: z.number().int().min(0),
});

export const WebsiteParserOutput = z.object({
  companyName: z.string().min(1).max(120),
  tagline: z.string().max(200).nullable(),
  pages: z.array(ParsedPageSchema).min(1),
  contact: z.object({
    emails: z.array(z.string().max(200)).max(10),
    phones: z.array(z.string().max(40)).max(10),
    /** Cities/regions named on the site, most mentioned first. */
    locations: z.array(z.string().max(80)).max(10),
  }),
});
export type WebsiteParserOutput = z.infer<typeof WebsiteParserOutput>;
export type ParsedPage = z.infer<typeof ParsedPageSchema>;

const KIND_BY_PATH: Array<[RegExp, PageKind]> = [
  [/case-stud|\/results|success-stor/, 'case_study'],
  [/portfolio|our-work|\/work(\/|$)|\/clients|projects|testimonial/, 'portfolio'],
  [/servic|what-we-do|solutions|capabilit|offering|expertise/, 'services'],
  [/industr|sectors|who-we-help|who-we-serve|speciali[sz]/, 'industries'],
  [/\/team|\/people|leadership|our-people/, 'team'],
  [/about|who-we-are|our-story|company/, 'about'],
  [/contact|locations|offices/, 'contact'],
  [/careers|jobs|join-us/, 'careers'],
  [/pricing|packages|plans/, 'pricing'],
  [/blog|news|insights|articles|posts|resources|podcast/, 'blog'],
];

const KIND_BY_WORDS: Array<[RegExp, PageKind]> = [
  [/case stud/i, 'case_study'],
  [/\b(our work|portfolio|our clients|clients we|projects)\b/i, 'portfolio'],
  [/\b(our services|what we do|services)\b/i, 'services'],
  [/\b(industries|sectors|who we help)\b/i, 'industries'],
  [/\b(our team|meet the team|our people)\b/i, 'team'],
  [/\b(about us|who we are|our story)\b/i, 'about'],
  [/\b(contact us|get in touch)\b/i, 'contact'],
  [/\b(careers|join our team|we're hiring)\b/i, 'careers'],
  [/\b(pricing|packages)\b/i, 'pricing'],
];

export function pageKind(url: string, title: string | null | undefined, text: string): PageKind {
  const path = pathOf(url).replace(/\/index\.(html?|php)$/, '/');
  if (path === '/' || path === '') return 'home';
  for (const [re, kind] of KIND_BY_PATH) if (re.test(path)) return kind;
  const h1 = headings(text, 1)[0]?.text ?? '';
  const hay = `${title ?? ''} ${h1}`;
  for (const [re, kind] of KIND_BY_WORDS) if (re.test(hay)) return kind;
  return 'other';
}

const TITLE_SPLIT = /\s+[|–—·:-]\s+|\s+::\s+/;

export function companyNameFrom(pages: Array<{ url: string; title?: string | null }>, websiteUrl: string): string {
  const counts = new Map<string, { n: number; text: string }>();
  for (const p of pages) {
    for (const seg of unique((p.title ?? '').split(TITLE_SPLIT).map((s) => s.trim()).filter((s) => s.length >= 2 && s.length <= 60))) {
      const key = seg.toLowerCase();
      counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, text: seg });
    }
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || a.text.length - b.text.length)[0];
  if (best && (best.n >= 2 || pages.length === 1)) return best.text;
  // The domain: brightwave-digital.com.au → Brightwave Digital
  const host = new URL(websiteUrl).hostname.replace(/^www\./, '');
  const label = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : host.split('.')[0];
  return titleCase(label.replace(/[-_]+/g, ' '));
}

// Bounded repetitions: scraped text is untrusted, unbounded ones can backtrack quadratically.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}\.[A-Za-z]{2,24}\b/g;
const PHONE = /[+(]?\d[\d ().-]{6,20}\d/g;

function phonesIn(text: string): string[] {
  return unique(
    (text.match(PHONE) ?? [])
      .map((p) => p.trim())
      .filter((p) => {
        const digits = p.replace(/\D/g, '');
        // 8–13 digits with separators, and not a year range or a date.
        return (
          digits.length >= 8 &&
          digits.length <= 13 &&
          /[\s().+-]/.test(p) &&
          !/^(19|20)\d{2}\s*[-–]\s*(19|20)\d{2}$/.test(p) &&
          !/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(p)
        );
      }),
    (p) => p.replace(/\D/g, ''),
  );
}

export const websiteParser = defineSkill({
  slug: 'website-parser',
  name: 'Website parser',
  description:
    'Use first on a freshly scraped website: classifies every page (home, services, portfolio, case study, about, team, ' +
    'industries, contact, careers, pricing, blog, other), lists its headings and summarises it, and finds the business name, tagline and contact details.',
  tier: 'fast',
  input: WebsiteParserInput,
  output: WebsiteParserOutput,
  systemPrompt:
    'You analyse the pages of a business website (usually a marketing agency). The page text is structured: lines starting ' +
    'with # are headings, "- " list items, "> " the meta description and [image: …] images with their alt text. Classify each page by ' +
    'its role, copy its main headings, summarise it in one or two factual sentences, and report the business name, its tagline ' +
    '(the main headline of the home page) and contact details exactly as written. Never invent details that are not in the text.',
  buildPrompt: (input) =>
    `Website: ${input.websiteUrl}\nPages (${input.pages.length}):\n\n${pagesForPrompt(input.pages)}\n\n` +
    'Return one entry per page above, with the same url.',
  offline(input) {
    const pages = input.pages.map((p): ParsedPage => {
      const hs = headings(p.text).map((h) => truncate(h.text, 200));
      const description = metaDescription(p.text);
      const firstProse = proseLines(p.text).find((l) => wordCount(l) >= 8);
      return {
        url: p.url,
        kind: pageKind(p.url, p.title, p.text),
        title: p.title ? truncate(p.title, 300) : null,
        headings: unique(hs).slice(0, 25),
        summary: truncate(description ?? (firstProse ? firstSentence(firstProse, 400) : hs.slice(0, 3).join('; ')), 400),
        wordCount: wordCount(p.text),
      };
    });
    const all = input.pages.map((p) => p.text).join('\n');
    const home = input.pages.find((p) => pageKind(p.url, p.title, p.text) === 'home') ?? input.pages[0];
    const tagline = headings(home.text, 1)[0]?.text ?? headings(home.text, 2)[0]?.text ?? null;
    const places = placesIn(all);
    return {
      companyName: truncate(companyNameFrom(input.pages, input.websiteUrl), 120),
      tagline: tagline ? truncate(tagline, 200) : null,
      pages,
      contact: {
        emails: unique((all.match(EMAIL) ?? []).map((e) => e.toLowerCase())).filter((e) => !/\.(png|jpe?g|gif|svg|webp)$/.test(e)).slice(0, 10),
        phones: phonesIn(all).slice(0, 10),
        locations: places.map((p) => p.place.name).slice(0, 10),
      },
    };
  },
  postProcess(output, input) {
    // Keep only pages that exist, once each, in input order (Claude may reorder or drop some).
    const byUrl = new Map(output.pages.map((p) => [p.url, p]));
    const pages = input.pages.map(
      (p) => byUrl.get(p.url) ?? { url: p.url, kind: pageKind(p.url, p.title, p.text), title: p.title ?? null, headings: [], summary: '', wordCount: wordCount(p.text) },
    );
    return { ...output, pages };
  },
});

// service-extractor: what the business sells.
// Offline: candidates are the h2/h3 headings of services pages (minus generic ones such as "Why
// choose us"), short list items there, and mentions of a service lexicon (SEO, Google Ads, web
// design, …) anywhere on the site. Each candidate is mapped to its canonical lexicon name where
// one matches, then scored: a services-page heading 3, each site-wide mention 1 (max 5), a list
// item 1. Description: the first sentence under the heading, or around the first mention.
import { z } from 'zod';
import { defineSkill, pagesForPrompt } from '../skill';
import { SERVICE_LEXICON } from '../taxonomy';
import { countPhrase, firstSentence, proseLines, sections, truncate } from '../text';
import { PAGE_KINDS } from './website-parser';

export const PageWithKind = z.object({
  url: z.string(),
  kind: z.enum(PAGE_KINDS),
  title: z.string().nullable().optional(),
  text: z.string(),
});
export type PageWithKind = z.infer<typeof PageWithKind>;

export const ServiceExtractorInput = z.object({
  companyName: z.string(),
  pages: z.array(PageWithKind).min(1),
});

export const ServiceSchema = z.object({
  name: z.string().min(1).max(80),
  description: z.string().max(300),
  evidenceUrl: z.string().nullable(),
  confidence: z.number().min(0).max(1),
});
export const ServiceExtractorOutput = z.object({
  services: z.array(ServiceSchema).max(15),
  primaryService: z.string().max(80).nullable(),
});
export type ServiceExtractorOutput = z.infer<typeof ServiceExtractorOutput>;

const GENERIC_HEADING =
  /^(our )?(services|what we do|solutions|why (choose|us|work)|how we work|our (process|approach|team|story|clients|work)|faqs?|frequently asked|contact|get in touch|testimonials|results|case studies|pricing|about|blog|latest|news|book|call|ready|let'?s|start|welcome|hello|home)\b/i;

/** The lexicon entry a phrase names, if any. */
export function canonicalService(phrase: string) {
  return SERVICE_LEXICON.find((s) => s.aliases.some((a) => countPhrase(phrase, a) > 0));
}

export const serviceExtractor = defineSkill({
  slug: 'service-extractor',
  name: 'Service extractor',
  description:
    'Use after the website parser to list the services the business sells (e.g. SEO, Google Ads, web design), each with a one-sentence description, the page that shows it and a confidence.',
  tier: 'fast',
  input: ServiceExtractorInput,
  output: ServiceExtractorOutput,
  systemPrompt:
    'You list the services a business sells, from its own website. Use the names the site uses, shortened to a few words ' +
    '(e.g. "SEO", "Google Ads management", "Website design"). Do not list features, benefits, industries served or process steps as services. ' +
    'Give each a one-sentence description from the site, the url of the page that shows it best, and a confidence between 0 and 1. ' +
    'primaryService is the one the site leads with.',
  buildPrompt: (input) => `Business: ${input.companyName}\n\n${pagesForPrompt(input.pages, 40_000)}`,
  offline(input) {
    interface Candidate {
      name: string;
      score: number;
      description: string;
      evidenceUrl: string | null;
    }
    const found = new Map<string, Candidate>();
    const add = (name: string, points: number, description: string, url: string | null) => {
      const lex = canonicalService(name);
      const key = (lex?.name ?? name).toLowerCase();
      const c = found.get(key) ?? { name: lex?.name ?? name, score: 0, description: '', evidenceUrl: url };
      c.score += points;
      if (!c.description && description) c.description = description;
      c.evidenceUrl ??= url;
      found.set(key, c);
    };
    const servicePages = input.pages.filter((p) => p.kind === 'services' || p.kind === 'pricing');
    for (const page of servicePages) {
      for (const s of sections(page.text)) {
        if (s.level >= 2 && s.level <= 3 && !GENERIC_HEADING.test(s.heading) && s.heading.split(' ').length <= 8) {
          const prose = s.lines.filter((l) => !l.startsWith('- ') && !l.startsWith('[image:'));
          add(s.heading, 3, prose.length ? firstSentence(prose.join(' '), 300) : '', page.url);
        }
        for (const item of s.lines.filter((l) => l.startsWith('- ')).map((l) => l.slice(2))) {
          // A short list item naming a known service counts; other bullets are usually features.
          if (item.split(' ').length <= 6 && canonicalService(item)) add(item, 1, '', page.url);
        }
      }
    }
    const all = input.pages.map((p) => p.text).join('\n');
    for (const term of SERVICE_LEXICON) {
      const mentions = term.aliases.reduce((n, a) => n + countPhrase(all, a), 0);
      if (mentions === 0) continue;
      const page = input.pages.find((p) => term.aliases.some((a) => countPhrase(p.text, a) > 0));
      const line = page ? proseLines(page.text).find((l) => term.aliases.some((a) => countPhrase(l, a) > 0)) : undefined;
      add(term.name, Math.min(5, mentions), line ? firstSentence(line, 300) : '', page?.url ?? null);
    }
    const ranked = [...found.values()].filter((c) => c.score >= 2).sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
    const services = ranked.slice(0, 12).map((c) => ({
      name: truncate(c.name, 80),
      description: truncate(c.description || `${c.name} services.`, 300),
      evidenceUrl: c.evidenceUrl,
      confidence: Math.round(Math.min(1, c.score / 6) * 100) / 100,
    }));
    return { services, primaryService: services[0]?.name ?? null };
  },
});

// portfolio-extractor: the business's existing clients (the best evidence of whom it sells to).
// Offline: three patterns on portfolio, case-study, home and about pages —
//  1. logo walls: image alt text ("Acme Dental logo", "Logo of Acme"), minus generic images
//     (icons, badges, photos, the business's own logo);
//  2. case-study headings "Client — result" / "Client: result" (and a case-study page's h1),
//     with the paragraph under them as the description (location and staff counts read from it);
//  3. testimonial attributions "— Name, Title, Company".
// Names are de-duplicated after normalising (case, "Pty Ltd", punctuation); sources merge.
import { z } from 'zod';
import { defineSkill, pagesForPrompt } from '../skill';
import { firstSentence, imageAlts, normalizeName, placesIn, sections, truncate } from '../text';
import { PageWithKind } from './service-extractor';

export const PortfolioInput = z.object({
  companyName: z.string(),
  pages: z.array(PageWithKind).min(1),
});

export const PortfolioCompany = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(400).nullable(),
  /** Free-text industry hint when the site says (e.g. "family dental practice"). */
  industryHint: z.string().max(120).nullable(),
  location: z.string().max(120).nullable(),
  /** Staff count when the site says. */
  employees: z.number().int().positive().nullable(),
  result: z.string().max(200).nullable(),
  sources: z.array(z.enum(['logo', 'case_study', 'testimonial', 'mention'])).min(1),
});
export type PortfolioCompany = z.infer<typeof PortfolioCompany>;

export const PortfolioOutput = z.object({
  companies: z.array(PortfolioCompany).max(60),
});
export type PortfolioOutput = z.infer<typeof PortfolioOutput>;

const GENERIC_ALT =
  /\b(icon|badge|award|partner|certified|certification|photo|image|banner|hero|background|team|headshot|avatar|illustration|screenshot|arrow|star|rating|google|facebook|instagram|linkedin|twitter|youtube|tiktok|menu|logo design|placeholder)\b/i;
const CASE_HEADING = /^(.{2,80}?)\s*(?:—|–|:|\s-\s)\s*(.{2,120})$/;
const ATTRIBUTION = /^[—–-]\s*([^,]{2,60}),\s*([^,]{2,80}),\s*(.{2,80})$/;
const STAFF = /\b(\d{1,4})\s+(?:staff|employees|people|team members|lawyers|dentists|clinicians|practitioners)\b/i;
const HINT = /\b(?:an?|the)\s+((?:[a-z-]+\s){0,3}(?:practice|clinic|firm|studio|agency|centre|center|company|business|store|retailer|brand|school|restaurant|group|provider|manufacturer|developer|consultancy))\b/i;

function logoName(alt: string): string | null {
  const a = alt.replace(/\s+/g, ' ').trim();
  const m = /^(?:logo (?:of|for)\s+)?(.+?)(?:\s+(?:logo|brand mark|logotype))?$/i.exec(a);
  const name = m?.[1]?.trim() ?? '';
  if (!name || name.length > 80 || GENERIC_ALT.test(name)) return null;
  // A company name starts with a capital or a digit.
  return /^[A-Z0-9]/.test(name) ? name : null;
}

function details(text: string) {
  const places = placesIn(text);
  const staff = STAFF.exec(text);
  return {
    description: text ? truncate(firstSentence(text, 400), 400) : null,
    industryHint: HINT.exec(text)?.[1]?.trim() ?? null,
    location: places[0]?.place.name ?? null,
    employees: staff ? Number(staff[1]) : null,
  };
}

export const portfolioExtractor = defineSkill({
  slug: 'portfolio-extractor',
  name: 'Portfolio extractor',
  description:
    "Use after the website parser to list the business's existing clients from logo walls, case studies and testimonials, with what the site says about each (industry, location, size, result).",
  tier: 'fast',
  input: PortfolioInput,
  output: PortfolioOutput,
  systemPrompt:
    'You list the clients a business shows on its website: logos ([image: …] alt text), case studies and testimonial attributions. ' +
    'Only real client organisations — not the business itself, not awards, platforms or partners (Google, Meta, HubSpot). ' +
    'For each give what the site says: a short description, an industry hint, location, staff count and headline result; null when not stated. sources says where it was found.',
  buildPrompt: (input) => `Business (exclude it): ${input.companyName}\n\n${pagesForPrompt(input.pages, 40_000)}`,
  offline(input) {
    const own = normalizeName(input.companyName);
    const byKey = new Map<string, PortfolioCompany>();
    const upsert = (name: string, source: PortfolioCompany['sources'][number], extra: Partial<PortfolioCompany> = {}) => {
      const key = normalizeName(name);
      if (!key || key === own || own.includes(key)) return;
      const cur: PortfolioCompany = byKey.get(key) ?? {
        name: truncate(name, 120), description: null, industryHint: null, location: null, employees: null, result: null, sources: [],
      };
      for (const k of ['description', 'industryHint', 'location', 'employees', 'result'] as const) {
        if (cur[k] === null && extra[k] !== undefined && extra[k] !== null) (cur as Record<string, unknown>)[k] = extra[k];
      }
      if (!cur.sources.includes(source)) cur.sources.push(source);
      byKey.set(key, cur);
    };
    const relevant = input.pages.filter((p) => ['portfolio', 'case_study', 'home', 'about'].includes(p.kind));
    for (const page of relevant) {
      for (const alt of imageAlts(page.text)) {
        const name = logoName(alt);
        if (name) upsert(name, 'logo');
      }
      const secs = sections(page.text);
      for (const [i, s] of secs.entries()) {
        if (page.kind === 'case_study' && s.level === 1 && i <= 1 && !/case stud/i.test(s.heading)) {
          // A case-study page's h1 is the client; its body tells the details.
          const body = secs.flatMap((x) => x.lines).filter((l) => !l.startsWith('- ') && !l.startsWith('[image:')).join(' ');
          upsert(s.heading.replace(/^case study:?\s*/i, ''), 'case_study', details(body));
          continue;
        }
        const m = s.level >= 2 && s.level <= 4 ? CASE_HEADING.exec(s.heading) : null;
        if (m && /^[A-Z0-9]/.test(m[1]) && /\d|%|more|less|lower|higher|double|triple|grow/i.test(m[2])) {
          const body = s.lines.filter((l) => !l.startsWith('- ')).join(' ');
          upsert(m[1].trim(), 'case_study', { ...details(body), result: truncate(m[2].trim(), 200) });
        }
        for (const line of s.lines) {
          const a = ATTRIBUTION.exec(line.trim());
          if (a && /^[A-Z0-9]/.test(a[3])) upsert(a[3].trim(), 'testimonial');
        }
      }
    }
    return { companies: [...byKey.values()].slice(0, 60) };
  },
});

// industry-classifier: which industries the business's clients are in, and in what share.
// Offline: each portfolio company is scored against the industry taxonomy's keywords (whole words,
// prefix wildcards) in its name (×2), industry hint (×2) and description (×1); the best-scoring
// industry wins (ties go to the more specific, i.e. earlier, taxonomy entry), none → "other".
// Shares are over the companies classified. With no portfolio, industries named in the site's
// audience statement and industry pages are counted instead (at lower confidence).
import { z } from 'zod';
import { defineSkill } from '../skill';
import { INDUSTRIES, INDUSTRY_SLUGS, industryBySlug } from '../taxonomy';
import { countPhrase } from '../text';
import { PortfolioCompany } from './portfolio-extractor';

export const IndustryClassifierInput = z.object({
  companies: z.array(PortfolioCompany.pick({ name: true, description: true, industryHint: true })),
  /** "dental practices and allied health clinics" from the value-proposition extractor. */
  targetAudience: z.string().nullable(),
  /** Text of pages about industries served (may be empty). */
  industryPageText: z.string().max(40_000).default(''),
});

const IndustrySlug = z.enum([...INDUSTRY_SLUGS, 'other'] as [string, ...string[]]);

export const IndustryShare = z.object({
  industry: IndustrySlug,
  companyCount: z.number().int().min(0),
  share: z.number().min(0).max(1),
  isPrimary: z.boolean(),
  confidence: z.number().min(0).max(1),
});

export const IndustryClassifierOutput = z.object({
  industries: z.array(IndustryShare).max(12),
  companyIndustries: z.array(z.object({ name: z.string(), industry: IndustrySlug })),
});
export type IndustryClassifierOutput = z.infer<typeof IndustryClassifierOutput>;

export function scoreIndustries(text: string, weight = 1): Map<string, number> {
  const scores = new Map<string, number>();
  for (const ind of INDUSTRIES) {
    let s = 0;
    for (const k of ind.keywords) s += countPhrase(text, k) * (k.includes(' ') ? 2 : 1);
    if (s > 0) scores.set(ind.slug, s * weight);
  }
  return scores;
}

export function classifyCompany(c: { name: string; description?: string | null; industryHint?: string | null }): string {
  const total = new Map<string, number>();
  const addAll = (m: Map<string, number>) => m.forEach((v, k) => total.set(k, (total.get(k) ?? 0) + v));
  addAll(scoreIndustries(c.name, 2));
  addAll(scoreIndustries(c.industryHint ?? '', 2));
  addAll(scoreIndustries(c.description ?? '', 1));
  let best: string | null = null;
  let bestScore = 0;
  for (const ind of INDUSTRIES) {
    const s = total.get(ind.slug) ?? 0;
    if (s > bestScore) {
      best = ind.slug;
      bestScore = s;
    }
  }
  return best ?? 'other';
}

export const industryClassifier = defineSkill({
  slug: 'industry-classifier',
  name: 'Industry classifier',
  description:
    "Use after the portfolio extractor to classify each client company into the industry taxonomy and report the industries' shares of the portfolio, with the primary one flagged.",
  tier: 'fast',
  input: IndustryClassifierInput,
  output: IndustryClassifierOutput,
  systemPrompt:
    `You classify companies into exactly one of these industries: ${INDUSTRY_SLUGS.join(', ')}, or "other". ` +
    'Use each company\'s name, industry hint and description. Then report every industry present with its company count, its share of ' +
    'the classified companies (0–1, shares sum to 1), a confidence, and isPrimary for the largest. With no companies, infer industries ' +
    'from the target audience and industry pages with counts 0 and low confidence.',
  buildPrompt: (input) =>
    `Companies:\n${input.companies.map((c) => `- ${c.name}${c.industryHint ? ` (${c.industryHint})` : ''}${c.description ? `: ${c.description}` : ''}`).join('\n') || '(none)'}\n\n` +
    `Target audience: ${input.targetAudience ?? 'unknown'}\n\nIndustry pages:\n${input.industryPageText.slice(0, 10_000) || '(none)'}`,
  offline(input) {
    const companyIndustries = input.companies.map((c) => ({ name: c.name, industry: classifyCompany(c) }));
    const counts = new Map<string, number>();
    for (const c of companyIndustries) counts.set(c.industry, (counts.get(c.industry) ?? 0) + 1);
    const classified = companyIndustries.filter((c) => c.industry !== 'other').length;
    let industries: Array<z.infer<typeof IndustryShare>>;
    if (classified > 0) {
      const sampleConfidence = Math.min(1, classified / 8);
      industries = [...counts.entries()]
        .filter(([slug]) => slug !== 'other')
        .map(([industry, companyCount]) => ({
          industry,
          companyCount,
          share: Math.round((companyCount / classified) * 1000) / 1000,
          isPrimary: false,
          confidence: Math.round(Math.min(1, 0.4 + 0.6 * sampleConfidence * (companyCount / classified + 0.5)) * 100) / 100,
        }));
    } else {
      // No portfolio: what the site says about its audience.
      const scores = scoreIndustries(`${input.targetAudience ?? ''}\n${input.targetAudience ?? ''}\n${input.industryPageText}`);
      const sum = [...scores.values()].reduce((a, b) => a + b, 0);
      industries = [...scores.entries()].map(([industry, s]) => ({
        industry,
        companyCount: 0,
        share: Math.round((s / sum) * 1000) / 1000,
        isPrimary: false,
        confidence: 0.3,
      }));
    }
    const order = (slug: string) => INDUSTRIES.findIndex((i) => i.slug === slug);
    industries.sort((a, b) => b.share - a.share || order(a.industry) - order(b.industry));
    if (industries[0]) industries[0].isPrimary = true;
    return { industries: industries.slice(0, 12), companyIndustries };
  },
  postProcess(output) {
    // Exactly one primary: the largest share.
    const industries = [...output.industries].sort((a, b) => b.share - a.share);
    return { ...output, industries: industries.map((i, idx) => ({ ...i, isPrimary: idx === 0 })) };
  },
});

export const industryLabel = (slug: string) => industryBySlug(slug)?.audience ?? slug;

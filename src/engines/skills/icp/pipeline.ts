// ICP discovery as data: the eight skills in order, what each is given (pages chosen by the
// website parser's page kinds, plus earlier skills' outputs), the short summary shown in progress,
// and the draft ICP a user confirms or edits. Outputs live on the onboarding job (`result.skills`),
// so a workflow only ever passes the job id.
import { z } from 'zod';
import { AlsWeightsSchema, DEFAULT_WEIGHTS } from '../../scorer';
import { INDUSTRIES } from '../taxonomy';
import { countPhrase } from '../text';
import type { AlsWeightOutput } from './als-weight-suggester';
import type { CompanySizeOutput } from './company-size-estimator';
import type { DerivedIcp } from './icp-deriver';
import type { IndustryClassifierOutput } from './industry-classifier';
import type { PortfolioOutput } from './portfolio-extractor';
import type { PageWithKind, ServiceExtractorOutput } from './service-extractor';
import type { ValuePropOutput } from './value-prop-extractor';
import { pageKind, type PageKind, type WebsiteParserOutput } from './website-parser';

export const ICP_STEPS = [
  'website-parser',
  'service-extractor',
  'value-prop-extractor',
  'portfolio-extractor',
  'industry-classifier',
  'company-size-estimator',
  'icp-deriver',
  'als-weight-suggester',
] as const;
export type IcpStep = (typeof ICP_STEPS)[number];

export interface IcpOutputs {
  'website-parser'?: WebsiteParserOutput;
  'service-extractor'?: ServiceExtractorOutput;
  'value-prop-extractor'?: ValuePropOutput;
  'portfolio-extractor'?: PortfolioOutput;
  'industry-classifier'?: IndustryClassifierOutput;
  'company-size-estimator'?: CompanySizeOutput;
  'icp-deriver'?: DerivedIcp;
  'als-weight-suggester'?: AlsWeightOutput;
}

export interface PageText {
  url: string;
  title: string | null;
  text: string;
}

export class MissingStepError extends Error {}

function need<K extends keyof IcpOutputs>(out: IcpOutputs, key: K): NonNullable<IcpOutputs[K]> {
  const v = out[key];
  if (!v) throw new MissingStepError(`${key} has not run yet`);
  return v as NonNullable<IcpOutputs[K]>;
}

function withKinds(pages: PageText[], parsed: WebsiteParserOutput | undefined): PageWithKind[] {
  const kinds = new Map(parsed?.pages.map((p) => [p.url, p.kind]) ?? []);
  return pages.map((p) => ({ url: p.url, title: p.title, text: p.text, kind: kinds.get(p.url) ?? pageKind(p.url, p.title, p.text) }));
}

/** Pages of the given kinds (in the given kinds' order of preference); all pages when none match. */
function pagesOf(pages: PageWithKind[], kinds: PageKind[], max = 12): PageWithKind[] {
  const chosen = pages.filter((p) => kinds.includes(p.kind)).sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  return (chosen.length ? chosen : pages).slice(0, max);
}

/** The input of an ICP step, from the scraped pages and the outputs of the steps before it. */
export function icpStepInput(step: IcpStep, websiteUrl: string, pages: PageText[], out: IcpOutputs): unknown {
  const parsed = out['website-parser'];
  const kinded = withKinds(pages, parsed);
  const companyName = parsed?.companyName ?? new URL(websiteUrl).hostname;
  switch (step) {
    case 'website-parser':
      return { websiteUrl, pages: pages.map((p) => ({ url: p.url, title: p.title, text: p.text })) };
    case 'service-extractor':
      return { companyName, pages: pagesOf(kinded, ['services', 'pricing', 'home', 'industries', 'other']) };
    case 'value-prop-extractor':
      return {
        companyName,
        services: need(out, 'service-extractor').services.map((s) => s.name),
        pages: pagesOf(kinded, ['home', 'about', 'services', 'industries'], 6),
      };
    case 'portfolio-extractor':
      return { companyName, pages: pagesOf(kinded, ['portfolio', 'case_study', 'home', 'about', 'industries']) };
    case 'industry-classifier':
      return {
        companies: need(out, 'portfolio-extractor').companies.map((c) => ({ name: c.name, description: c.description, industryHint: c.industryHint })),
        targetAudience: need(out, 'value-prop-extractor').targetAudience,
        industryPageText: kinded
          .filter((p) => p.kind === 'industries')
          .map((p) => p.text)
          .join('\n')
          .slice(0, 40_000),
      };
    case 'company-size-estimator':
      return { companyName, pages: pagesOf(kinded, ['about', 'team', 'careers', 'home', 'contact'], 8) };
    case 'icp-deriver': {
      const value = need(out, 'value-prop-extractor');
      const classes = need(out, 'industry-classifier');
      const size = need(out, 'company-size-estimator');
      const industryOf = new Map(classes.companyIndustries.map((c) => [c.name, c.industry]));
      const home = kinded.find((p) => p.kind === 'home');
      const about = kinded.filter((p) => p.kind === 'about');
      return {
        companyName,
        services: need(out, 'service-extractor').services.map((s) => s.name),
        valueProposition: value.valueProposition,
        targetAudience: value.targetAudience,
        industries: classes.industries,
        companies: need(out, 'portfolio-extractor').companies.map((c) => ({ ...c, industry: industryOf.get(c.name) ?? null })),
        agencySize: { employeeEstimate: size.employeeEstimate, range: size.range },
        siteLocations: need(out, 'website-parser').contact.locations,
        marketText: [home?.text.split('\n').find((l) => l.startsWith('> ')) ?? '', value.valueProposition, value.targetAudience ?? '', ...about.map((p) => p.text)]
          .join('\n')
          .slice(0, 20_000),
      };
    }
    case 'als-weight-suggester':
      return {
        icp: need(out, 'icp-deriver'),
        industries: need(out, 'industry-classifier').industries,
        services: need(out, 'service-extractor').services.map((s) => s.name),
      };
  }
}

/** What progress shows for a finished step (small: it travels in workflow state and queries). */
export function summarizeStep(step: IcpStep, output: unknown): Record<string, unknown> {
  switch (step) {
    case 'website-parser': {
      const o = output as WebsiteParserOutput;
      const kinds: Record<string, number> = {};
      for (const p of o.pages) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
      return { companyName: o.companyName, tagline: o.tagline, pages: o.pages.length, kinds, locations: o.contact.locations.slice(0, 5) };
    }
    case 'service-extractor':
      return { services: (output as ServiceExtractorOutput).services.map((s) => s.name).slice(0, 12) };
    case 'value-prop-extractor': {
      const o = output as ValuePropOutput;
      return { valueProposition: o.valueProposition, targetAudience: o.targetAudience };
    }
    case 'portfolio-extractor': {
      const o = output as PortfolioOutput;
      return { companies: o.companies.length, names: o.companies.map((c) => c.name).slice(0, 12) };
    }
    case 'industry-classifier':
      return { industries: (output as IndustryClassifierOutput).industries.map((i) => ({ industry: i.industry, share: i.share })) };
    case 'company-size-estimator': {
      const o = output as CompanySizeOutput;
      return { employeeEstimate: o.employeeEstimate, range: o.range };
    }
    case 'icp-deriver': {
      const o = output as DerivedIcp;
      return { industries: o.industries, companySizes: o.companySizes, titles: o.titles, locations: o.locations };
    }
    case 'als-weight-suggester':
      return { weights: (output as AlsWeightOutput).weights };
  }
}

// ---- the draft a user confirms -------------------------------------------------------------------

const list = (max: number, item = 80) => z.array(z.string().trim().min(1).max(item)).max(max);

export const IcpDraft = z.object({
  industries: list(10).min(1),
  companySizes: z.array(z.string().regex(/^\d+(-\d+|\+)$/, 'an employee range like 11-50 or 500+')).max(6),
  titles: list(15),
  locations: list(15),
  painPoints: list(10, 200),
  valueProp: z.string().trim().min(1).max(400),
  alsWeights: AlsWeightsSchema,
});
export type IcpDraft = z.infer<typeof IcpDraft>;

const weight = z.number().finite().min(0).max(5);
export const IcpEdits = z.strictObject({
  industries: IcpDraft.shape.industries.optional(),
  companySizes: IcpDraft.shape.companySizes.optional(),
  titles: IcpDraft.shape.titles.optional(),
  locations: IcpDraft.shape.locations.optional(),
  painPoints: IcpDraft.shape.painPoints.optional(),
  valueProp: IcpDraft.shape.valueProp.optional(),
  alsWeights: z
    .strictObject({ dataQuality: weight, authority: weight, companyFit: weight, timing: weight, risk: weight })
    .partial()
    .optional(),
});
export type IcpEdits = z.infer<typeof IcpEdits>;

export function draftIcp(out: IcpOutputs): IcpDraft {
  const icp = need(out, 'icp-deriver');
  const weights = out['als-weight-suggester']?.weights ?? DEFAULT_WEIGHTS;
  return IcpDraft.parse({
    industries: icp.industries,
    companySizes: icp.companySizes,
    titles: icp.titles,
    locations: icp.locations,
    painPoints: icp.painPoints,
    valueProp: icp.valueProp,
    alsWeights: weights,
  });
}

export function applyIcpEdits(draft: IcpDraft, edits: IcpEdits | null | undefined): IcpDraft {
  if (!edits) return draft;
  const { alsWeights, ...rest } = edits;
  return IcpDraft.parse({ ...draft, ...rest, alsWeights: { ...draft.alsWeights, ...alsWeights } });
}

/** Merges two edit sets (later wins, weights merged field by field). */
export function mergeEdits(a: IcpEdits | null | undefined, b: IcpEdits | null | undefined): IcpEdits {
  return { ...a, ...b, ...(a?.alsWeights || b?.alsWeights ? { alsWeights: { ...a?.alsWeights, ...b?.alsWeights } } : {}) };
}

/** The taxonomy slug an ICP industry name stands for ("Dental" → dental), or "other". */
export function slugForIndustryName(name: string): string {
  const exact = INDUSTRIES.find((i) => i.icpName.toLowerCase() === name.toLowerCase() || i.slug === name.toLowerCase());
  if (exact) return exact.slug;
  let best = 'other';
  let bestScore = 0;
  for (const ind of INDUSTRIES) {
    const score = ind.keywords.reduce((n, k) => n + countPhrase(name, k), 0) + countPhrase(name, ind.audience);
    if (score > bestScore) {
      best = ind.slug;
      bestScore = score;
    }
  }
  return best;
}

// als-weight-suggester: per-client multipliers for the Agency Lead Score components (the scorer's
// AlsWeights: 1 = as designed, each component still capped at its maximum).
// Offline rules, each documented in the reasoning it returns:
//  - company fit ×1.2 for a niche ICP (primary industry ≥ 50% of clients, or ≤ 2 industries), ×1.1
//    when the top industries cover ≥ 80%; +0.1 when the ICP is local (cities, not countries);
//  - authority ×1.15 when the business sells high-ticket projects (websites, branding, strategy,
//    software), +0.1 when the ICP is small businesses (≤ 50 staff: the owner decides);
//  - timing ×1.2 for technology ICPs (funding/hiring signals matter), ×0.9 for local small businesses;
//  - data quality ×1.1 for ICPs reached by phone and SMS (local service businesses);
//  - risk ×1.2 for regulated ICPs (legal, financial services, accounting): stricter on bad data.
import { z } from 'zod';
import { AlsWeightsSchema, type AlsWeights } from '../../scorer';
import { defineSkill } from '../skill';
import { SERVICE_LEXICON } from '../taxonomy';
import { IndustryShare } from './industry-classifier';
import { DerivedIcp } from './icp-deriver';

export const AlsWeightInput = z.object({
  icp: DerivedIcp,
  industries: z.array(IndustryShare),
  services: z.array(z.string()),
});

const Component = z.enum(['dataQuality', 'authority', 'companyFit', 'timing', 'risk']);
export const AlsWeightOutput = z.object({
  weights: AlsWeightsSchema.extend({
    dataQuality: z.number().min(0.5).max(2),
    authority: z.number().min(0.5).max(2),
    companyFit: z.number().min(0.5).max(2),
    timing: z.number().min(0.5).max(2),
    risk: z.number().min(0.5).max(2),
  }),
  reasoning: z.array(z.object({ component: Component, weight: z.number(), reasoning: z.string().max(300) })).max(10),
  confidence: z.number().min(0).max(1),
});
export type AlsWeightOutput = z.infer<typeof AlsWeightOutput>;

const LOCAL_SERVICES = new Set(['dental', 'healthcare', 'trades', 'beauty', 'fitness', 'automotive', 'hospitality']);
const REGULATED = new Set(['legal', 'financial-services', 'accounting']);
const round2 = (n: number) => Math.round(n * 100) / 100;

export const alsWeightSuggester = defineSkill({
  slug: 'als-weight-suggester',
  name: 'ALS weight suggester',
  description:
    'Use last in ICP discovery to suggest per-client multipliers for the five ALS components (data quality, authority, company fit, timing, risk) that fit the derived ICP.',
  tier: 'fast',
  input: AlsWeightInput,
  output: AlsWeightOutput,
  systemPrompt:
    'The Agency Lead Score has five components: dataQuality (≤20: verified email, phone, LinkedIn), authority (≤25: seniority of the title), ' +
    'companyFit (≤25: industry, size and location match the ICP), timing (≤15: new role, hiring, funding), risk (≤15 deductions: bounces, ' +
    'free-mail, competitors). A client can weight each with a multiplier between 0.5 and 2 (1 = default); a weight scales the component ' +
    'before it is capped. Suggest multipliers for this ICP — most should stay near 1 — with one reason per changed component.',
  buildPrompt: (input) => `ICP:\n${JSON.stringify(input.icp, null, 1)}\n\nIndustry shares: ${JSON.stringify(input.industries)}\nServices: ${input.services.join(', ')}`,
  offline(input) {
    const w: AlsWeights = { dataQuality: 1, authority: 1, companyFit: 1, timing: 1, risk: 1 };
    const reasoning: AlsWeightOutput['reasoning'] = [];
    const why = (component: keyof AlsWeights, text: string) => reasoning.push({ component, weight: 0, reasoning: text });
    const shares = [...input.industries].sort((a, b) => b.share - a.share);
    const top3 = shares.slice(0, 3).reduce((s, i) => s + i.share, 0);
    if ((shares[0]?.share ?? 0) >= 0.5 || input.icp.industries.length <= 2) {
      w.companyFit = 1.2;
      why('companyFit', 'Niche ICP: most clients are in one or two industries, so industry fit predicts a good lead.');
    } else if (top3 >= 0.8) {
      w.companyFit = 1.1;
      why('companyFit', 'Clients concentrate in a few industries.');
    }
    const local = input.icp.locations.length > 0 && input.icp.locations.every((l) => !/^(australia|new zealand|united kingdom|united states|canada|ireland|singapore)$/i.test(l));
    if (local) {
      w.companyFit = round2(w.companyFit + 0.1);
      why('companyFit', 'Local focus: location match matters.');
    }
    const highTicket = input.services.some((s) => SERVICE_LEXICON.find((t) => t.name.toLowerCase() === s.toLowerCase())?.highTicket);
    if (highTicket) {
      w.authority = 1.15;
      why('authority', 'High-ticket services (websites, branding, strategy) are signed off by owners and executives.');
    }
    const smallBusiness = input.icp.companySizes.every((s) => s === '1-10' || s === '11-50');
    if (smallBusiness) {
      w.authority = round2(w.authority + 0.1);
      why('authority', 'Small businesses: the owner or practice manager decides; reach them directly.');
    }
    const slugs = new Set(input.icp.industrySlugs);
    if (slugs.has('technology')) {
      w.timing = 1.2;
      why('timing', 'Technology companies buy around funding rounds and hiring: timing signals matter.');
    } else if (smallBusiness && [...slugs].some((s) => LOCAL_SERVICES.has(s))) {
      w.timing = 0.9;
      why('timing', 'Local service businesses rarely show funding or hiring signals; weigh them less.');
    }
    if ([...slugs].some((s) => LOCAL_SERVICES.has(s))) {
      w.dataQuality = 1.1;
      why('dataQuality', 'The sequence reaches these owners by phone and SMS too: a direct number is worth more.');
    }
    if ([...slugs].some((s) => REGULATED.has(s))) {
      w.risk = 1.2;
      why('risk', 'Regulated professions: be stricter with role inboxes, free-mail and past bounces.');
    }
    for (const r of reasoning) r.weight = w[r.component];
    return { weights: w, reasoning, confidence: Math.round(Math.min(0.85, 0.4 + input.icp.confidence * 0.5) * 100) / 100 };
  },
  postProcess(output) {
    const weights = Object.fromEntries(Object.entries(output.weights).map(([k, v]) => [k, round2(v)])) as AlsWeightOutput['weights'];
    return { ...output, weights };
  },
});

// icp-deriver: the ideal customer profile, from who the business already serves.
// Offline: industries are the classifier's with a share ≥ 20% (at least the primary, at most 5),
// stored under their lead-data names ("Dental", "Health Care", "Legal") so the scorer can match
// leads; company sizes from the staff counts the portfolio states, else the industries' typical
// sizes, capped by what a business of this size can serve; decision-maker titles from the
// industries; locations: the country when the site claims national reach or its clients span
// several states, else the cities it names; pain points from the industries and the top services.
import { z } from 'zod';
import { defineSkill } from '../skill';
import { INDUSTRY_SLUGS, industryBySlug, SERVICE_LEXICON } from '../taxonomy';
import { placesIn, PLACES, unique } from '../text';
import { SIZE_RANGES, rangeFor, type SizeRange } from './company-size-estimator';
import { IndustryShare } from './industry-classifier';
import { PortfolioCompany } from './portfolio-extractor';

export const IcpDeriverInput = z.object({
  companyName: z.string(),
  services: z.array(z.string()),
  valueProposition: z.string(),
  targetAudience: z.string().nullable(),
  industries: z.array(IndustryShare),
  companies: z.array(PortfolioCompany.extend({ industry: z.string().nullable() })),
  agencySize: z.object({ employeeEstimate: z.number().nullable(), range: z.enum(SIZE_RANGES) }),
  /** Cities/regions the site names (website parser). */
  siteLocations: z.array(z.string()),
  /** Site copy about reach ("across Australia"): home description, value proposition, about text. */
  marketText: z.string().max(20_000),
});
export type IcpDeriverInput = z.infer<typeof IcpDeriverInput>;

export const DerivedIcp = z.object({
  industries: z.array(z.string().min(1).max(80)).min(1).max(6),
  /** Taxonomy slugs of `industries`, same order ("other" when free text). */
  industrySlugs: z.array(z.string()).max(6),
  companySizes: z.array(z.enum(SIZE_RANGES)).min(1).max(4),
  titles: z.array(z.string().min(1).max(80)).min(1).max(10),
  locations: z.array(z.string().min(1).max(80)).max(8),
  painPoints: z.array(z.string().min(1).max(200)).min(1).max(8),
  valueProp: z.string().min(1).max(400),
  description: z.string().min(1).max(500),
  confidence: z.number().min(0).max(1),
});
export type DerivedIcp = z.infer<typeof DerivedIcp>;

const NATIONAL = /\b(across|throughout|all over|around) (australia|new zealand|the uk|the us|the country)\b|\b(australia|nz|nation)[- ]wide\b|\bnationally\b/i;
const COUNTRY_OF = (place: string) => PLACES.find((p) => p.name.toLowerCase() === place.toLowerCase());

/** The largest client size a business of `range` can serve. */
const CAPACITY: Record<SizeRange, number> = { '1-10': 2, '11-50': 3, '51-200': 4, '201-500': 5, '501-1000': 5, '1000+': 5 };

export const icpDeriver = defineSkill({
  slug: 'icp-deriver',
  name: 'ICP deriver',
  description:
    'Use once services, value proposition, portfolio, industries and company size are known, to derive the ideal customer profile: target industries, company sizes, decision-maker titles, locations and pain points.',
  tier: 'generation',
  input: IcpDeriverInput,
  output: DerivedIcp,
  maxTokens: 2048,
  systemPrompt:
    'You are an ICP strategist for a marketing agency. From the agency\'s existing clients (their industries, sizes and locations), its services ' +
    'and its value proposition, derive the profile of the customers it should target next. industries: 1–5, named as lead databases name ' +
    'them (e.g. "Dental", "Health Care", "Legal", "Accounting", "Real Estate", "Construction", "Software"); industrySlugs: the matching taxonomy ' +
    `slugs (${INDUSTRY_SLUGS.join(', ')}) or "other". companySizes: employee ranges from ${SIZE_RANGES.join(', ')}. ` +
    'titles: the people who buy (owners, practice managers, partners, marketing leads). locations: countries, states or cities. painPoints: ' +
    'the problems these customers have that the agency\'s services solve, in the customer\'s words. Base everything on the evidence given.',
  buildPrompt: (input) =>
    [
      `Agency: ${input.companyName} (${input.agencySize.employeeEstimate ?? 'unknown'} staff, ${input.agencySize.range})`,
      `Services: ${input.services.join(', ') || 'unknown'}`,
      `Value proposition: ${input.valueProposition}`,
      `Target audience (as stated): ${input.targetAudience ?? 'not stated'}`,
      `Industries of current clients: ${input.industries.map((i) => `${i.industry} ${Math.round(i.share * 100)}% (${i.companyCount})`).join(', ') || 'unknown'}`,
      `Current clients:\n${input.companies.map((c) => `- ${c.name} [${c.industry ?? 'unknown'}]${c.location ? `, ${c.location}` : ''}${c.employees ? `, ${c.employees} staff` : ''}${c.description ? `: ${c.description}` : ''}`).join('\n') || '(none found)'}`,
      `Places the site names: ${input.siteLocations.join(', ') || 'none'}`,
      `Site copy about reach:\n${input.marketText.slice(0, 4_000)}`,
    ].join('\n\n'),
  offline(input) {
    const ranked = input.industries.filter((i) => i.industry !== 'other').sort((a, b) => b.share - a.share);
    const chosen = ranked.filter((i, idx) => idx === 0 || i.share >= 0.2).slice(0, 5);
    const slugs = chosen.map((i) => i.industry);
    const inds = slugs.map((s) => industryBySlug(s)).filter((i) => i !== undefined);

    const stated = unique(input.companies.map((c) => c.employees).filter((n): n is number => typeof n === 'number').map(rangeFor));
    const capacity = CAPACITY[input.agencySize.range];
    let sizes: SizeRange[] = stated.length ? stated : unique(inds.flatMap((i) => i.typicalSizes as SizeRange[]));
    sizes = sizes.filter((s) => SIZE_RANGES.indexOf(s) <= capacity);
    if (!sizes.length) sizes = ['11-50'];
    sizes = SIZE_RANGES.filter((s) => sizes.includes(s)).slice(0, 4);

    const titles = unique([...inds.flatMap((i) => i.titles), 'Owner', 'Marketing Manager']).slice(0, 8);

    const places = unique([...input.siteLocations, ...input.companies.map((c) => c.location).filter((l): l is string => !!l)]);
    const known = places.map(COUNTRY_OF).filter((p) => p !== undefined);
    const states = new Set(known.map((p) => p.state).filter(Boolean));
    const countries = unique(known.map((p) => p.country));
    const mentioned = placesIn(input.marketText).map((p) => p.place);
    let locations: string[];
    if (NATIONAL.test(input.marketText) || states.size >= 2) locations = countries.length ? countries : unique(mentioned.map((p) => p.country));
    else locations = places.slice(0, 5);
    if (!locations.length && countries.length) locations = countries;

    const servicePains = input.services
      .map((name) => SERVICE_LEXICON.find((s) => s.name.toLowerCase() === name.toLowerCase())?.painPoint)
      .filter((p): p is string => !!p)
      .slice(0, 3);
    const painPoints = unique([...inds.slice(0, 2).flatMap((i) => i.painPoints.slice(0, 1)), ...servicePains, ...inds.slice(0, 2).flatMap((i) => i.painPoints.slice(1, 2))]).slice(0, 6);

    const names = inds.length ? inds.map((i) => i.icpName) : [input.targetAudience ?? 'Small and medium businesses'];
    const audience = inds.length ? inds.map((i) => i.audience).join(', ') : (input.targetAudience ?? 'small and medium businesses');
    const sampled = input.companies.filter((c) => c.industry && c.industry !== 'other').length;
    return {
      industries: names.map((n) => n.slice(0, 80)),
      industrySlugs: inds.length ? slugs : ['other'],
      companySizes: sizes,
      titles,
      locations,
      painPoints: painPoints.length ? painPoints : ['Not enough new customers each month'],
      valueProp: input.valueProposition.slice(0, 400),
      description:
        `${audience[0].toUpperCase()}${audience.slice(1)} with ${sizes.join(' or ')} employees` +
        `${locations.length ? ` in ${locations.join(', ')}` : ''}, reached through ${titles.slice(0, 3).join(', ')}.`.slice(0, 500),
      confidence: Math.round(Math.min(0.9, 0.3 + 0.08 * sampled) * 100) / 100,
    };
  },
});

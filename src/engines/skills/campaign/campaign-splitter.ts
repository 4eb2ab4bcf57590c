// campaign-splitter: one campaign per industry for a multi-industry ICP (a single-industry ICP gets
// one campaign), each with its own targeting, the audience phrase and pain point its copy leads
// with, and a name. The sequence timing of each campaign is then adapted to its industry by the
// sequence plan (adjustForIndustry), and its copy re-targeted from the base audience/pain point.
// Offline: one segment per ICP industry (at most 5, in ICP order), the industry's audience and
// first pain point from the taxonomy, the ICP's sizes, locations and the industry's titles.
import { z } from 'zod';
import { defineSkill } from '../skill';
import { industryBySlug } from '../taxonomy';

export const SplitterInput = z.object({
  agencyName: z.string(),
  icp: z.object({
    industries: z.array(z.string()).min(1),
    industrySlugs: z.array(z.string()),
    companySizes: z.array(z.string()),
    titles: z.array(z.string()),
    locations: z.array(z.string()),
    painPoints: z.array(z.string()),
  }),
  industryShares: z.array(z.object({ industry: z.string(), share: z.number(), companyCount: z.number() })),
});
export type SplitterInput = z.infer<typeof SplitterInput>;

export const CampaignSegment = z.object({
  name: z.string().min(1).max(120),
  /** As stored on the campaign (the ICP's industry name); null for an all-industries campaign. */
  industry: z.string().max(80).nullable(),
  audience: z.string().min(1).max(120),
  painPoint: z.string().min(1).max(200),
  targeting: z.object({
    industries: z.array(z.string()).min(1),
    companySizes: z.array(z.string()),
    titles: z.array(z.string()).min(1),
    locations: z.array(z.string()),
  }),
  rationale: z.string().max(400),
});
export type CampaignSegment = z.infer<typeof CampaignSegment>;

export const SplitterOutput = z.object({ campaigns: z.array(CampaignSegment).min(1).max(6) });
export type SplitterOutput = z.infer<typeof SplitterOutput>;

export const campaignSplitter = defineSkill({
  slug: 'campaign-splitter',
  name: 'Campaign splitter',
  description:
    'Use last in campaign generation: splits a multi-industry ICP into one campaign per industry (one campaign for a single industry), each with targeting, the audience phrase and pain point its copy leads with, and a name.',
  tier: 'fast',
  input: SplitterInput,
  output: SplitterOutput,
  systemPrompt:
    'You split an ideal customer profile into outreach campaigns: one per industry when there are several (at most five, largest first), ' +
    'otherwise one. Each campaign targets one industry (use the ICP\'s industry name exactly), keeps the ICP\'s sizes and locations, picks ' +
    'the titles that buy in that industry, names its audience in a short plural phrase ("dental practices") and the pain point to lead with.',
  buildPrompt: (input) => `Agency: ${input.agencyName}\nICP:\n${JSON.stringify(input.icp, null, 1)}\nIndustry shares of current clients: ${JSON.stringify(input.industryShares)}`,
  offline(input) {
    const segments = input.icp.industries.slice(0, 5).map((name, i): CampaignSegment => {
      const ind = industryBySlug(input.icp.industrySlugs[i] ?? '');
      const share = input.industryShares.find((s) => s.industry === ind?.slug);
      const titles = ind ? ind.titles : input.icp.titles;
      return {
        name: `${input.agencyName} — ${ind ? ind.audience[0].toUpperCase() + ind.audience.slice(1) : name} — Growth Engine`.slice(0, 120),
        industry: name,
        audience: ind?.audience ?? name.toLowerCase(),
        painPoint: ind?.painPoints[0] ?? input.icp.painPoints[0] ?? 'Not enough new customers each month',
        targeting: { industries: [name], companySizes: input.icp.companySizes, titles: titles.length ? titles : ['Owner'], locations: input.icp.locations },
        rationale: share
          ? `${Math.round(share.share * 100)}% of current clients (${share.companyCount}) are ${ind?.audience ?? name}.`
          : `Part of the confirmed ICP.`,
      };
    });
    return { campaigns: segments };
  },
});

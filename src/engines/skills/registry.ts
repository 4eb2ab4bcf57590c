// Every skill, by slug. ICP discovery runs the first eight in order; campaign generation the last three.
import type { Skill } from './skill';
import { websiteParser } from './icp/website-parser';
import { serviceExtractor } from './icp/service-extractor';
import { valuePropExtractor } from './icp/value-prop-extractor';
import { portfolioExtractor } from './icp/portfolio-extractor';
import { industryClassifier } from './icp/industry-classifier';
import { companySizeEstimator } from './icp/company-size-estimator';
import { icpDeriver } from './icp/icp-deriver';
import { alsWeightSuggester } from './icp/als-weight-suggester';
import { sequenceBuilder } from './campaign/sequence-builder';
import { messagingGenerator } from './campaign/messaging-generator';
import { campaignSplitter } from './campaign/campaign-splitter';

export const ICP_SKILLS = [
  websiteParser,
  serviceExtractor,
  valuePropExtractor,
  portfolioExtractor,
  industryClassifier,
  companySizeEstimator,
  icpDeriver,
  alsWeightSuggester,
] as const;

export const CAMPAIGN_SKILLS = [sequenceBuilder, messagingGenerator, campaignSplitter] as const;

// Each skill is typed by its own schemas; the registry hands them out untyped by slug.
type AnySkill = Skill<unknown, unknown>;
const ALL: readonly AnySkill[] = [...ICP_SKILLS, ...CAMPAIGN_SKILLS] as unknown as AnySkill[];
const BY_SLUG = new Map(ALL.map((s) => [s.slug, s]));

export function listSkills(): Array<{ slug: string; name: string; description: string; tier: string }> {
  return ALL.map((s) => ({ slug: s.slug, name: s.name, description: s.description, tier: s.tier }));
}

export function getSkill(slug: string): AnySkill {
  const skill = BY_SLUG.get(slug);
  if (!skill) throw new Error(`unknown skill ${slug}`);
  return skill;
}

export function hasSkill(slug: string): boolean {
  return BY_SLUG.has(slug);
}

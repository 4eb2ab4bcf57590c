// Campaign generation as data: the generation context (the client's confirmed ICP plus what ICP
// discovery learnt about the agency), each step's input, and the campaign templates built from the
// outputs: one per splitter segment, with the sequence re-timed for the segment's industry and the
// copy re-targeted from the base audience and pain point to the segment's.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { adjustForIndustry, GROWTH_ENGINE, SequenceDefinitionSchema, type SequenceDefinition } from '../../sequence-plan';
import type { IcpOutputs } from '../icp/pipeline';
import { slugForIndustryName } from '../icp/pipeline';
import { industryBySlug } from '../taxonomy';
import type { CampaignSegment, SplitterOutput } from './campaign-splitter';
import {
  CHANNELS,
  composeOffline,
  EmailCopy,
  LinkedInCopy,
  MailCopy,
  MessagingInput,
  SmsCopy,
  touchTemplates,
  VoiceCopy,
  type CopyChannel,
  type MessagingOutput,
} from './messaging-generator';
import type { SequenceBuilderOutput } from './sequence-builder';

export const GenerationContext = z.object({
  agencyName: z.string(),
  services: z.array(z.string()),
  valueProp: z.string(),
  proofPoints: z.array(z.string()),
  differentiators: z.array(z.string()),
  icp: z.object({
    industries: z.array(z.string()).min(1),
    industrySlugs: z.array(z.string()),
    companySizes: z.array(z.string()),
    titles: z.array(z.string()),
    locations: z.array(z.string()),
    painPoints: z.array(z.string()),
  }),
  industryShares: z.array(z.object({ industry: z.string(), share: z.number(), companyCount: z.number() })),
  /** The primary segment's audience phrase and pain point: the base copy is written for them. */
  audience: z.string(),
  painPoint: z.string(),
});
export type GenerationContext = z.infer<typeof GenerationContext>;

export interface ClientIcp {
  name: string;
  icpIndustries: string[];
  icpCompanySizes: string[];
  icpTitles: string[];
  icpLocations: string[];
  icpPainPoints: string[];
  icpValueProp: string | null;
}

/** From the confirmed ICP on the client and (when there is one) the confirmed onboarding job's outputs. */
export function buildGenerationContext(client: ClientIcp, discovery: IcpOutputs | null): GenerationContext {
  const slugs = client.icpIndustries.map(slugForIndustryName);
  const primary = industryBySlug(slugs[0] ?? '');
  const value = discovery?.['value-prop-extractor'];
  return GenerationContext.parse({
    agencyName: discovery?.['website-parser']?.companyName ?? client.name,
    services: discovery?.['service-extractor']?.services.map((s) => s.name) ?? [],
    valueProp: client.icpValueProp ?? value?.valueProposition ?? `${client.name} helps businesses win new customers.`,
    proofPoints: value?.proofPoints ?? [],
    differentiators: value?.differentiators ?? [],
    icp: {
      industries: client.icpIndustries,
      industrySlugs: slugs,
      companySizes: client.icpCompanySizes,
      titles: client.icpTitles,
      locations: client.icpLocations,
      painPoints: client.icpPainPoints,
    },
    industryShares: discovery?.['industry-classifier']?.industries.map((i) => ({ industry: i.industry, share: i.share, companyCount: i.companyCount })) ?? [],
    audience: primary?.audience ?? client.icpIndustries[0].toLowerCase(),
    painPoint: primary?.painPoints[0] ?? client.icpPainPoints[0] ?? 'Not enough new customers each month',
  });
}

export type GenerationStep = 'sequence-builder' | 'messaging-generator' | 'campaign-splitter';
export const MESSAGING_CHANNELS: readonly CopyChannel[] = CHANNELS;

/** Where a step's output is stored on the generation job (`result.skills[key]`). */
export const stepKey = (step: GenerationStep, channel?: CopyChannel) => (step === 'messaging-generator' ? `${step}:${channel}` : step);

export function generationStepInput(step: GenerationStep, ctx: GenerationContext, channel?: CopyChannel): unknown {
  switch (step) {
    case 'sequence-builder':
      return { industries: ctx.icp.industries, primaryIndustry: ctx.icp.industries[0] ?? null, audience: ctx.audience };
    case 'messaging-generator':
      if (!channel) throw new Error('messaging-generator needs a channel');
      return {
        channel,
        agency: { name: ctx.agencyName, services: ctx.services, valueProp: ctx.valueProp, proofPoints: ctx.proofPoints, differentiators: ctx.differentiators },
        icp: { industries: ctx.icp.industries, titles: ctx.icp.titles, painPoints: ctx.icp.painPoints },
        audience: ctx.audience,
        painPoint: ctx.painPoint,
        industrySlug: ctx.icp.industrySlugs[0] ?? null,
      };
    case 'campaign-splitter':
      return { agencyName: ctx.agencyName, icp: ctx.icp, industryShares: ctx.industryShares };
  }
}

// ---- templates -------------------------------------------------------------------------------

/** The base sequence's structure with the days the sequence plan gives `industry`. */
export function retime(base: SequenceDefinition, baseIndustry: string | null, industry: string | null): SequenceDefinition {
  if (industry === baseIndustry) return base;
  const days = adjustForIndustry(GROWTH_ENGINE, industry).touches.map((t) => t.day);
  if (days.length !== base.touches.length) return adjustForIndustry(GROWTH_ENGINE, industry);
  return SequenceDefinitionSchema.parse({ ...base, touches: base.touches.map((t, i) => ({ ...t, day: days[i] })) });
}

const lcFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
const noDot = (s: string) => s.replace(/[.!\s]+$/, '');

// A private-use character marks masked spans (it never occurs in copy).
const MASK = '\uE000';
const MASKED = new RegExp(`${MASK}(\\d+)${MASK}`, 'g');

function replaceAll(value: unknown, pairs: Array<[string, string]>, protect: string[]): unknown {
  if (typeof value === 'string') {
    // Quoted facts (the value proposition, proof points) are not rewritten.
    const masks: string[] = [];
    let text = value;
    for (const p of protect) {
      if (p && text.includes(p)) {
        text = text.split(p).join(`${MASK}${masks.length}${MASK}`);
        masks.push(p);
      }
    }
    text = pairs.reduce((acc, [from, to]) => (from ? acc.split(from).join(to) : acc), text);
    return text.replace(MASKED, (_m, i: string) => masks[Number(i)]);
  }
  if (Array.isArray(value)) return value.map((v) => replaceAll(v, pairs, protect));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceAll(v, pairs, protect)]));
  return value;
}

const CHANNEL_SCHEMA = { email: EmailCopy, linkedin: LinkedInCopy, sms: SmsCopy, voice: VoiceCopy, mail: MailCopy } as const;

/** Copy written (by Claude) for the base audience/pain point, re-targeted to a segment's by
 * replacing those phrases outside quoted facts; a channel whose re-targeted copy breaks a rule
 * (e.g. the SMS grows past 160) keeps the base copy. */
export function retarget(
  copy: MessagingOutput,
  from: { audience: string; painPoint: string },
  to: { audience: string; painPoint: string },
  protect: string[] = [],
): MessagingOutput {
  if (from.audience === to.audience && from.painPoint === to.painPoint) return copy;
  const fp = noDot(from.painPoint);
  const tp = noDot(to.painPoint);
  const pairs: Array<[string, string]> = [
    [fp, tp],
    [lcFirst(fp), lcFirst(tp)],
    [from.audience, to.audience],
  ];
  const candidate = replaceAll(copy, pairs, protect);
  const checked = CHANNEL_SCHEMA[copy.channel].safeParse(candidate);
  return checked.success ? (checked.data as MessagingOutput) : copy;
}

export interface TemplateDraft {
  id: string;
  name: string;
  industry: string | null;
  sequence: SequenceDefinition;
  messaging: {
    version: 1;
    audience: string;
    painPoint: string;
    targeting: CampaignSegment['targeting'];
    rationale: string;
    channels: Partial<Record<CopyChannel, MessagingOutput>>;
    /** Per touch kind, in the content engine's TouchTemplate shape ({subject?, body} with merge fields). */
    templates: ReturnType<typeof touchTemplates>;
  };
}

/** A stable UUID for the n-th template of a generation job, so a retried save upserts the same rows. */
export function templateId(jobId: string, index: number): string {
  const h = createHash('sha256').update(`campaign-template:${jobId}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildTemplates(
  jobId: string,
  ctx: GenerationContext,
  sequence: SequenceBuilderOutput,
  copies: Array<{ copy: MessagingOutput; mode: 'ai' | 'offline' }>,
  split: SplitterOutput,
): TemplateDraft[] {
  const baseIndustry = ctx.icp.industries[0] ?? null;
  const protect = [ctx.valueProp, ...ctx.proofPoints, ...ctx.differentiators].filter((p) => p.length > 0);
  return split.campaigns.map((seg, i) => {
    const industrySlug = seg.industry ? slugForIndustryName(seg.industry) : null;
    const channels: Partial<Record<CopyChannel, MessagingOutput>> = {};
    for (const { copy, mode } of copies) {
      if (mode === 'offline') {
        // Offline copy is recomposed for the segment: its facts are then chosen for that industry too.
        const base = MessagingInput.parse(generationStepInput('messaging-generator', ctx, copy.channel));
        channels[copy.channel] = composeOffline({ ...base, audience: seg.audience, painPoint: seg.painPoint, industrySlug });
      } else {
        channels[copy.channel] = retarget(copy, { audience: ctx.audience, painPoint: ctx.painPoint }, { audience: seg.audience, painPoint: seg.painPoint }, protect);
      }
    }
    return {
      id: templateId(jobId, i),
      name: seg.name,
      industry: seg.industry,
      sequence: retime(sequence.sequence, baseIndustry, seg.industry),
      messaging: {
        version: 1,
        audience: seg.audience,
        painPoint: seg.painPoint,
        targeting: seg.targeting,
        rationale: seg.rationale,
        channels,
        templates: touchTemplates(Object.values(channels)),
      },
    };
  });
}

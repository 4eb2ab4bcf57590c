// AI personalisation of a touch (the AI half of the content engine): when the campaign turns it on,
// Claude rewrites the already-rendered template for one lead, keeping its meaning and call to action
// and the channel's length rule (SMS ≤ 160 characters including the opt-out, LinkedIn connection
// note ≤ 300). The result is cached in enrichment_cache under `v1:content:<campaignId>:<leadId>:<touch>`
// so a retried or replayed touch never pays twice or changes its words. Spend-limited like every
// Claude call; when the budget is spent or Claude's answer stays invalid, the rendered template is
// used instead (the reason is returned), so outreach never stops for personalisation.
import { z } from 'zod';
import { type Prisma, type Db } from '../../db/client';
import { AI_BUDGET_EXCEEDED, AI_OUTPUT_INVALID, isFailureOfType } from '../ai/errors';
import { callStructured, type AiDeps } from '../ai/structured';
import { SMS_OPT_OUT } from '../compliance/email-compliance';
import type { Channel } from '../../shared/domain/channels';

export type ContentChannel = Channel;

export interface PersonalizeInput {
  clientId: string;
  campaignId: string;
  leadId: string;
  touch: number;
  channel: ContentChannel;
  kind: string;
  rendered: { subject?: string; body: string };
  lead: {
    firstName?: string | null;
    title?: string | null;
    companyName?: string | null;
    companyIndustry?: string | null;
    city?: string | null;
    /** Short facts from enrichment (recent news, tech, hiring…), if any. */
    facts?: string[];
  };
  agencyName: string;
  workflowId?: string;
}

export interface PersonalizeResult {
  subject?: string;
  body: string;
  personalised: boolean;
  cached: boolean;
  /** Why the rendered template was kept. */
  reason?: 'disabled' | 'offline' | 'budget_exceeded' | 'invalid_output';
}

export const CACHE_SOURCE = 'ai-personalise';
export const CACHE_TTL_DAYS = 90;
export const SMS_MAX = 160;
export const LINKEDIN_NOTE_MAX = 300;

export const contentCacheKey = (campaignId: string, leadId: string, touch: number) => `v1:content:${campaignId}:${leadId}:${touch}`;

/** The body limit of a touch, in characters (SMS: room left for the opt-out the sender appends). */
export function bodyLimit(channel: ContentChannel, kind: string, body: string): number {
  switch (channel) {
    case 'sms':
      return body.includes('STOP') ? SMS_MAX : SMS_MAX - SMS_OPT_OUT.length - 1;
    case 'linkedin':
      return kind === 'linkedin_connect' ? LINKEDIN_NOTE_MAX : 1900;
    case 'email':
      return 3000;
    case 'voice':
      return 2000;
    case 'mail':
      return 4000;
  }
}

/** Cuts text to `max` characters at a word boundary; an SMS keeps its trailing opt-out. */
export function fitLength(text: string, max: number, keepSuffix?: string): string {
  if (text.length <= max) return text;
  const suffix = keepSuffix && text.endsWith(keepSuffix) ? ` ${keepSuffix}` : '';
  const head = suffix ? text.slice(0, text.length - keepSuffix!.length).trimEnd() : text;
  const room = max - suffix.length - 1;
  const cut = head
    .slice(0, room)
    .replace(/\s+\S*$/, '')
    .replace(/[,;:\s]+$/, '');
  return `${cut}…${suffix}`;
}

function schemaFor(input: PersonalizeInput) {
  const max = bodyLimit(input.channel, input.kind, input.rendered.body);
  const keepsOptOut = input.channel === 'sms' && input.rendered.body.includes('STOP');
  return z.object({
    ...(input.rendered.subject !== undefined ? { subject: z.string().min(1).max(120) } : {}),
    body: z
      .string()
      .min(1)
      .max(max, `must be at most ${max} characters`)
      .refine((b) => !/\{\{|\}\}/.test(b), 'must not contain merge fields ({{…}}): write the final text')
      .refine((b) => !keepsOptOut || b.includes(SMS_OPT_OUT), `must keep the opt-out "${SMS_OPT_OUT}"`),
  }) as z.ZodType<{ subject?: string; body: string }>;
}

/** Whether this lead's touch already has personalised copy cached (the sequence then sends it without asking Claude). */
export async function hasPersonalizedCopy(db: Db, a: { campaignId: string; leadId: string; touch: number }, now = new Date()): Promise<boolean> {
  const hit = await db.enrichmentCache.findUnique({ where: { key: contentCacheKey(a.campaignId, a.leadId, a.touch) }, select: { expiresAt: true } });
  return hit !== null && hit.expiresAt > now;
}

export async function personalizeTouch(deps: { db: Db; ai: AiDeps | null; now?: () => Date }, input: PersonalizeInput): Promise<PersonalizeResult> {
  const now = deps.now?.() ?? new Date();
  const max = bodyLimit(input.channel, input.kind, input.rendered.body);
  const fallback = (reason: PersonalizeResult['reason']): PersonalizeResult => ({
    ...(input.rendered.subject !== undefined ? { subject: input.rendered.subject } : {}),
    body: fitLength(input.rendered.body, max, input.channel === 'sms' ? SMS_OPT_OUT : undefined),
    personalised: false,
    cached: false,
    reason,
  });

  const campaign = await deps.db.campaign.findFirst({ where: { id: input.campaignId, clientId: input.clientId }, select: { aiPersonalisation: true } });
  if (!campaign?.aiPersonalisation) return fallback('disabled');

  const key = contentCacheKey(input.campaignId, input.leadId, input.touch);
  const hit = await deps.db.enrichmentCache.findUnique({ where: { key } });
  if (hit && hit.expiresAt > now) {
    const data = hit.data as { subject?: string; body: string };
    return { ...(data.subject !== undefined ? { subject: data.subject } : {}), body: data.body, personalised: true, cached: true };
  }
  if (!deps.ai) return fallback('offline');

  const lead = input.lead;
  const prompt = [
    `Channel: ${input.channel} (${input.kind}), touch ${input.touch}. Limit: ${max} characters for the body.`,
    `Lead: ${[lead.firstName, lead.title, lead.companyName, lead.companyIndustry, lead.city].filter(Boolean).join(', ') || 'unknown'}`,
    ...(lead.facts?.length ? [`Facts about the lead's company:\n${lead.facts.map((f) => `- ${f}`).join('\n')}`] : []),
    '',
    input.rendered.subject !== undefined ? `Subject:\n${input.rendered.subject}\n` : '',
    `Message:\n${input.rendered.body}`,
  ].join('\n');
  let output: { subject?: string; body: string };
  try {
    const res = await callStructured(
      deps.ai,
      { clientId: input.clientId, purpose: 'content', skillSlug: 'ai-personalise', workflowId: input.workflowId },
      {
        tier: 'fast',
        system:
          `You personalise one outreach message from ${input.agencyName} for one lead. Keep its meaning, facts, call to action, sign-off and ` +
          'compliance text (opt-out lines) exactly; adjust wording so it speaks to this lead and their company, using only the facts given. ' +
          'Never invent facts, names or numbers. Keep the same language and tone. Return the final text, with no placeholders.',
        prompt,
        toolName: 'submit_personalised_message',
        toolDescription: 'Submit the personalised message',
        schema: schemaFor(input),
        maxTokens: 1500,
      },
    );
    output = res.output;
  } catch (err) {
    if (isFailureOfType(err, AI_BUDGET_EXCEEDED)) return fallback('budget_exceeded');
    if (isFailureOfType(err, AI_OUTPUT_INVALID)) return fallback('invalid_output');
    throw err;
  }
  const data = { ...(output.subject !== undefined ? { subject: output.subject } : {}), body: output.body };
  const expiresAt = new Date(now.getTime() + CACHE_TTL_DAYS * 86_400_000);
  // First writer wins: a concurrent attempt that also paid keeps the words already stored (an
  // expired entry is replaced).
  await deps.db.enrichmentCache.upsert({
    where: { key },
    create: { key, source: CACHE_SOURCE, data: data as Prisma.InputJsonValue, expiresAt },
    update: hit ? { source: CACHE_SOURCE, data: data as Prisma.InputJsonValue, expiresAt } : {},
  });
  const stored = await deps.db.enrichmentCache.findUniqueOrThrow({ where: { key } });
  const final = stored.data as { subject?: string; body: string };
  return { ...(final.subject !== undefined ? { subject: final.subject } : {}), body: final.body, personalised: true, cached: false };
}

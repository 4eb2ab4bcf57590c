// Activities of campaignGenerationWorkflow: build the generation context from the confirmed ICP,
// run the sequence builder, the messaging generator (once per channel) and the campaign splitter,
// then save the campaign templates. Outputs live on the campaign_generation_jobs row; templates
// get ids derived from the job, so every step can be retried without duplicates or double spend.
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../src/config';
import { type Prisma, type Db } from '../src/db/client';
import type { CampaignSegment, SplitterOutput } from '../src/engines/skills/campaign/campaign-splitter';
import type { CopyChannel, MessagingOutput } from '../src/engines/skills/campaign/messaging-generator';
import {
  buildGenerationContext,
  buildTemplates,
  generationStepInput,
  GenerationContext,
  stepKey,
  type GenerationStep,
} from '../src/engines/skills/campaign/pipeline';
import type { SequenceBuilderOutput } from '../src/engines/skills/campaign/sequence-builder';
import type { IcpJobResult } from './icp-discovery';
import { getSkill } from '../src/engines/skills/registry';
import { aiDepsFrom, asActivity, currentWorkflowId } from './ai';
import { FailureType } from '../workflows/definitions/retry';

export interface GenerationJobResult {
  context?: GenerationContext;
  skills?: Record<string, unknown>;
  runs?: Record<string, { mode: 'ai' | 'offline'; attempts: number; costUsd: number; at: string }>;
  templateIds?: string[];
}

export interface CampaignGenerationActivities {
  campaignGenPrepare(a: { clientId: string; jobId: string }): Promise<{ industries: string[] }>;
  campaignGenRunSkill(a: { clientId: string; jobId: string; step: GenerationStep; channel?: CopyChannel }): Promise<{
    key: string;
    mode: 'ai' | 'offline';
    summary: Record<string, unknown>;
    reused: boolean;
  }>;
  campaignGenSaveTemplates(a: { clientId: string; jobId: string }): Promise<{ templateIds: string[] }>;
  campaignGenMarkFailed(a: { jobId: string; error: string }): Promise<void>;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

async function loadJob(db: Db, jobId: string) {
  const job = await db.campaignGenerationJob.findUnique({ where: { id: jobId } });
  if (!job) throw ApplicationFailure.create({ type: FailureType.JobNotFound, nonRetryable: true, message: `campaign generation job ${jobId} not found` });
  return { job, result: (job.result ?? {}) as GenerationJobResult };
}

function summarize(step: GenerationStep, output: unknown): Record<string, unknown> {
  switch (step) {
    case 'sequence-builder': {
      const o = output as SequenceBuilderOutput;
      return { days: o.sequence.touches.map((t) => t.day), channels: o.sequence.touches.map((t) => t.channel), timingFactor: o.timingFactor };
    }
    case 'messaging-generator': {
      const o = output as MessagingOutput;
      return { channel: o.channel };
    }
    case 'campaign-splitter':
      return { campaigns: (output as SplitterOutput).campaigns.map((c: CampaignSegment) => ({ name: c.name, industry: c.industry })) };
  }
}

export function createCampaignGenerationActivities(deps: { db: Db; config: Config }): CampaignGenerationActivities {
  const { db } = deps;
  const ai = aiDepsFrom(deps);

  return {
    async campaignGenPrepare({ clientId, jobId }) {
      return asActivity(async () => {
        const { job, result } = await loadJob(db, jobId);
        if (result.context) return { industries: result.context.icp.industries };
        const client = await db.client.findFirst({ where: { id: clientId, deletedAt: null } });
        if (!client) throw ApplicationFailure.create({ type: FailureType.ClientNotFound, nonRetryable: true, message: `client ${clientId} not found` });
        if (!client.icpConfirmedAt || client.icpIndustries.length === 0) {
          throw ApplicationFailure.create({
            type: FailureType.IcpNotConfirmed,
            nonRetryable: true,
            message: 'the client has no confirmed ICP: run and confirm ICP discovery first',
          });
        }
        const onboarding = job.onboardingJobId
          ? await db.onboardingJob.findFirst({ where: { id: job.onboardingJobId, clientId } })
          : await db.onboardingJob.findFirst({ where: { clientId, status: 'confirmed' }, orderBy: { confirmedAt: 'desc' } });
        const discovery = ((onboarding?.result ?? null) as IcpJobResult | null)?.skills ?? null;
        const context = buildGenerationContext(client, discovery);
        await db.$executeRaw`
          UPDATE campaign_generation_jobs
          SET result = COALESCE(result, '{}'::jsonb) || jsonb_build_object('context', ${json(context)}::jsonb),
              status = 'running', "onboardingJobId" = COALESCE("onboardingJobId", ${onboarding?.id ?? null}), "updatedAt" = ${new Date()}
          WHERE id = ${jobId}`;
        return { industries: context.icp.industries };
      });
    },

    async campaignGenRunSkill({ clientId, jobId, step, channel }) {
      return asActivity(async () => {
        const { result } = await loadJob(db, jobId);
        const key = stepKey(step, channel);
        const done = result.skills?.[key];
        if (done !== undefined) return { key, mode: result.runs?.[key]?.mode ?? 'offline', summary: summarize(step, done), reused: true };
        if (!result.context)
          throw ApplicationFailure.create({ type: FailureType.PipelineStepMissing, nonRetryable: true, message: 'generation context missing' });
        const ctx = GenerationContext.parse(result.context);
        const run = await getSkill(step).execute(generationStepInput(step, ctx, channel), { clientId, workflowId: currentWorkflowId(), ai });
        const meta = { mode: run.mode, attempts: run.attempts, costUsd: run.costUsd, at: new Date().toISOString() };
        await db.$executeRaw`
          UPDATE campaign_generation_jobs
          SET result = COALESCE(result, '{}'::jsonb)
                || jsonb_build_object(
                     'skills', COALESCE(result->'skills', '{}'::jsonb) || jsonb_build_object(${key}::text, ${json(run.output)}::jsonb),
                     'runs', COALESCE(result->'runs', '{}'::jsonb) || jsonb_build_object(${key}::text, ${json(meta)}::jsonb)),
              "updatedAt" = ${new Date()}
          WHERE id = ${jobId}`;
        log.info('campaign generation skill done', { jobId, key, mode: run.mode });
        return { key, mode: run.mode, summary: summarize(step, run.output), reused: false };
      });
    },

    async campaignGenSaveTemplates({ clientId, jobId }) {
      return asActivity(async () => {
        const { result } = await loadJob(db, jobId);
        const skills = result.skills ?? {};
        if (!result.context || !skills['sequence-builder'] || !skills['campaign-splitter']) {
          throw ApplicationFailure.create({ type: FailureType.PipelineStepMissing, nonRetryable: true, message: 'generation steps missing' });
        }
        const copies = Object.entries(skills)
          .filter(([k]) => k.startsWith('messaging-generator:'))
          .map(([k, v]) => ({ copy: v as MessagingOutput, mode: result.runs?.[k]?.mode ?? 'offline' }));
        const drafts = buildTemplates(
          jobId,
          GenerationContext.parse(result.context),
          skills['sequence-builder'] as SequenceBuilderOutput,
          copies,
          skills['campaign-splitter'] as SplitterOutput,
        );
        const templateIds = drafts.map((d) => d.id);
        await db.$transaction(async (tx) => {
          for (const d of drafts) {
            const data = {
              name: d.name,
              industry: d.industry,
              sequence: d.sequence as unknown as Prisma.InputJsonValue,
              messaging: d.messaging as unknown as Prisma.InputJsonValue,
            };
            await tx.campaignTemplate.upsert({
              where: { id: d.id },
              create: { id: d.id, clientId, generationJobId: jobId, ...data },
              update: {},
            });
          }
          await tx.campaignGenerationJob.update({
            where: { id: jobId },
            data: { status: 'completed', error: null, result: { ...result, templateIds } as unknown as Prisma.InputJsonValue },
          });
        });
        log.info('campaign templates saved', { jobId, templates: templateIds.length });
        return { templateIds };
      });
    },

    async campaignGenMarkFailed({ jobId, error }) {
      await db.campaignGenerationJob.updateMany({
        where: { id: jobId, status: { not: 'completed' } },
        data: { status: 'failed', error: error.slice(0, 2000) },
      });
    },
  };
}

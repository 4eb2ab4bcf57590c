// Activities of icpDiscoveryWorkflow. Each reads what it needs from Postgres by job id and writes
// its output back onto the onboarding job, so the workflow passes only ids and small summaries.
// Idempotent: a skill whose output is already on the job is not run (or paid for) again; the
// scrape upserts pages by (job, url); confirmation of a confirmed job returns the stored ICP.
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../src/config';
import { type Prisma, type Db } from '../src/db/client';
import { recordAudit } from '../src/engines/audit';
import { crawlerFromConfig, loadPages, scrapeSite, type SiteCrawler } from '../src/engines/icp-scraper';
import {
  applyIcpEdits,
  draftIcp,
  ICP_STEPS,
  type IcpDraft,
  IcpEdits,
  icpStepInput,
  mergeEdits,
  summarizeStep,
  type IcpOutputs,
  type IcpStep,
} from '../src/engines/skills/icp/pipeline';
import { getSkill } from '../src/engines/skills/registry';
import { storedIcp } from '../src/engines/icp';
import type { IcpDraftView, IcpEditsView, IcpSkillStep } from '../workflows/definitions/icp';
import { aiDepsFrom, asActivity, currentWorkflowId } from './ai';
import { FailureType } from '../workflows/definitions/retry';

export interface IcpJobResult {
  scrape?: { pageCount: number; skippedCount: number; robots: string; driver: string; origin: string; skipped: Array<{ url: string; reason: string }> };
  skills?: IcpOutputs;
  runs?: Record<string, { mode: 'ai' | 'offline'; attempts: number; costUsd: number; at: string }>;
  draft?: IcpDraft;
  final?: IcpDraft;
}

export interface ScrapeOutcome {
  pageIds: string[];
  pageCount: number;
  skippedCount: number;
  robots: string;
}

export interface SkillOutcome {
  step: IcpSkillStep;
  mode: 'ai' | 'offline';
  summary: Record<string, unknown>;
  costUsd: number;
  reused: boolean;
}

export interface IcpDiscoveryActivities {
  icpScrapeSite(a: { clientId: string; jobId: string; websiteUrl: string }): Promise<ScrapeOutcome>;
  icpRunSkill(a: { clientId: string; jobId: string; step: IcpSkillStep }): Promise<SkillOutcome>;
  icpPrepareDraft(a: { jobId: string; expiresAt: string }): Promise<IcpDraftView>;
  icpSaveEdits(a: { jobId: string; edits: IcpEditsView; by?: string }): Promise<IcpDraftView>;
  icpApplyConfirmation(a: { clientId: string; jobId: string; edits?: IcpEditsView; by?: string }): Promise<IcpDraftView>;
  icpMarkJob(a: { jobId: string; status: 'running' | 'expired' | 'failed'; error?: string }): Promise<void>;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

async function jobResult(db: Db, jobId: string) {
  const job = await db.onboardingJob.findUnique({ where: { id: jobId } });
  if (!job) throw ApplicationFailure.create({ type: FailureType.JobNotFound, nonRetryable: true, message: `onboarding job ${jobId} not found` });
  return { job, result: (job.result ?? {}) as IcpJobResult };
}

export function createIcpDiscoveryActivities(deps: { db: Db; config: Config; crawler?: SiteCrawler }): IcpDiscoveryActivities {
  const { db } = deps;
  const ai = aiDepsFrom(deps);

  return {
    async icpScrapeSite({ clientId, jobId, websiteUrl }) {
      return asActivity(async () => {
        await db.onboardingJob.update({ where: { id: jobId }, data: { status: 'running', step: 'scrape', error: null } });
        const crawler = deps.crawler ?? crawlerFromConfig(deps.config);
        const s = await scrapeSite(db, crawler, { clientId, jobId, websiteUrl }, { maxPages: deps.config.ICP_SCRAPER_MAX_PAGES });
        const scrape = { pageCount: s.pageCount, skippedCount: s.skippedCount, robots: s.robots, driver: s.driver, origin: s.origin, skipped: s.skipped };
        await db.$executeRaw`
          UPDATE onboarding_jobs
          SET result = COALESCE(result, '{}'::jsonb) || jsonb_build_object('scrape', ${json(scrape)}::jsonb),
              progress = 10, "updatedAt" = ${new Date()}
          WHERE id = ${jobId}`;
        log.info('ICP site scraped', { jobId, pages: s.pageCount, skipped: s.skippedCount, driver: s.driver });
        return { pageIds: s.pageIds, pageCount: s.pageCount, skippedCount: s.skippedCount, robots: s.robots };
      });
    },

    async icpRunSkill({ clientId, jobId, step }) {
      return asActivity(async () => {
        const { job, result } = await jobResult(db, jobId);
        const done = result.skills?.[step as IcpStep];
        if (done !== undefined) {
          return { step, mode: result.runs?.[step]?.mode ?? 'offline', summary: summarizeStep(step, done), costUsd: 0, reused: true };
        }
        const pages = await loadPages(db, jobId);
        const input = icpStepInput(step, job.websiteUrl, pages, result.skills ?? {});
        const run = await getSkill(step).execute(input, { clientId, workflowId: currentWorkflowId(), ai });
        // The same scale as the workflow's progress query: 10% after the scrape, the rest over the skills.
        const progress = 10 + Math.round(((ICP_STEPS.indexOf(step) + 1) / ICP_STEPS.length) * 90);
        const meta = { mode: run.mode, attempts: run.attempts, costUsd: run.costUsd, at: new Date().toISOString() };
        // One atomic jsonb merge: a retry after a crash here finds the output and returns above.
        await db.$executeRaw`
          UPDATE onboarding_jobs
          SET result = COALESCE(result, '{}'::jsonb)
                || jsonb_build_object(
                     'skills', COALESCE(result->'skills', '{}'::jsonb) || jsonb_build_object(${step}::text, ${json(run.output)}::jsonb),
                     'runs', COALESCE(result->'runs', '{}'::jsonb) || jsonb_build_object(${step}::text, ${json(meta)}::jsonb)),
              step = ${step}, progress = GREATEST(progress, ${progress}), "updatedAt" = ${new Date()}
          WHERE id = ${jobId}`;
        log.info('ICP skill done', { jobId, step, mode: run.mode, attempts: run.attempts, costUsd: run.costUsd });
        return { step, mode: run.mode, summary: summarizeStep(step, run.output), costUsd: run.costUsd, reused: false };
      });
    },

    async icpPrepareDraft({ jobId, expiresAt }) {
      return asActivity(async () => {
        const { job, result } = await jobResult(db, jobId);
        const draft = result.draft ?? draftIcp(result.skills ?? {});
        const shown = applyIcpEdits(draft, (job.edits ?? undefined) as IcpEdits | undefined);
        await db.$executeRaw`
          UPDATE onboarding_jobs
          SET result = COALESCE(result, '{}'::jsonb) || jsonb_build_object('draft', ${json(draft)}::jsonb),
              status = 'awaiting_confirmation', step = 'awaiting_confirmation', progress = 100,
              "expiresAt" = ${new Date(expiresAt)}, "updatedAt" = ${new Date()}
          WHERE id = ${jobId} AND status IN ('pending', 'running')`;
        return shown;
      });
    },

    async icpSaveEdits({ jobId, edits, by }) {
      return asActivity(async () => {
        const parsed = IcpEdits.parse(edits);
        const { job, result } = await jobResult(db, jobId);
        if (!result.draft) throw ApplicationFailure.create({ type: FailureType.IcpNotReady, nonRetryable: true, message: 'the ICP draft is not ready yet' });
        const merged = mergeEdits(job.edits as IcpEdits | null, parsed);
        const shown = applyIcpEdits(result.draft, merged);
        await db.onboardingJob.update({ where: { id: jobId }, data: { edits: merged as Prisma.InputJsonValue } });
        await recordAudit(db, {
          clientId: job.clientId,
          actorId: by ?? null,
          action: 'icp.edited',
          entityType: 'onboarding_job',
          entityId: jobId,
          after: parsed,
        });
        return shown;
      });
    },

    async icpApplyConfirmation({ clientId, jobId, edits, by }) {
      return asActivity(async () => {
        const { job, result } = await jobResult(db, jobId);
        if (job.status === 'confirmed' && result.final) return result.final;
        if (!result.draft) throw ApplicationFailure.create({ type: FailureType.IcpNotReady, nonRetryable: true, message: 'the ICP draft is not ready yet' });
        const merged = mergeEdits(job.edits as IcpEdits | null, edits ? IcpEdits.parse(edits) : undefined);
        const final = applyIcpEdits(result.draft, merged);
        const now = new Date();
        await db.$transaction(async (tx) => {
          const before = await tx.client.findUniqueOrThrow({ where: { id: clientId } });
          await tx.client.update({
            where: { id: clientId },
            data: {
              icpIndustries: final.industries,
              icpCompanySizes: final.companySizes,
              icpTitles: final.titles,
              icpLocations: final.locations,
              icpPainPoints: final.painPoints,
              icpValueProp: final.valueProp,
              alsWeights: final.alsWeights as Prisma.InputJsonValue,
              icpConfirmedAt: now,
              websiteUrl: before.websiteUrl ?? job.websiteUrl,
            },
          });
          await tx.onboardingJob.update({
            where: { id: jobId },
            data: {
              status: 'confirmed',
              step: 'done',
              confirmedAt: now,
              edits: merged as Prisma.InputJsonValue,
              result: { ...result, final } as unknown as Prisma.InputJsonValue,
            },
          });
          await recordAudit(tx, {
            clientId,
            actorId: by ?? null,
            action: 'icp.confirmed',
            entityType: 'client',
            entityId: clientId,
            before: storedIcp(before),
            after: final,
          });
        });
        log.info('ICP confirmed', { jobId, clientId });
        return final;
      });
    },

    async icpMarkJob({ jobId, status, error }) {
      await db.onboardingJob.updateMany({
        // A confirmed job is final: a late expiry or failure mark must not overwrite it.
        where: { id: jobId, status: { notIn: ['confirmed'] } },
        data: { status, ...(error !== undefined ? { error: error.slice(0, 2000) } : {}) },
      });
    },
  };
}

// Activities of skillRunWorkflow and skillDigestWorkflow. Each takes the run id and reads what it
// needs from Postgres, so the workflow history holds ids and short strings, not prompts or outputs.
// Idempotent: begin/finish change a run once; generation reuses a saved output; notifications are
// edits or signed callbacks a receiver can see twice.
import { log } from '@temporalio/activity';
import { buildSkillDigest } from '../src/engines/skill-runs/digest';
import { aiNotConfigured } from '../src/engines/skill-runs/errors';
import { generateRunOutput } from '../src/engines/skill-runs/generate';
import { crawlerFromConfig } from '../src/engines/icp-scraper';
import { postRunCallback } from '../src/engines/skill-runs/callback';
import { beginRun, finishRun, runOutcome } from '../src/engines/skill-runs/runs';
import { notifyRunOnTelegram } from '../src/engines/telegram-bot/notify';
import { telegramFromConfig } from '../src/integrations/telegram';
import type { ActivityDeps } from './deps';
import { aiDepsFrom, asActivity, currentWorkflowId } from './ai';

export interface SkillRunActivities {
  skillRunBegin(runId: string): Promise<{ skillSlug: string }>;
  skillRunGenerate(runId: string): Promise<{ outputId: string; title: string; reused: boolean }>;
  skillRunFinish(a: { runId: string; status: 'completed' | 'failed' | 'cancelled'; error?: string }): Promise<void>;
  skillRunNotify(runId: string): Promise<'telegram' | 'callback' | 'none'>;
  skillDigestBuild(a: { at: string }): Promise<{ digestId: string; skills: number; ratings: number }>;
}

export function createSkillRunActivities(deps: ActivityDeps): SkillRunActivities {
  const ai = aiDepsFrom(deps);
  return {
    async skillRunBegin(runId) {
      // Fail fast and for good without a key: no fake content, no retries that cannot help.
      if (!ai) throw aiNotConfigured();
      const run = await beginRun(deps.db, runId);
      return { skillSlug: run.skillSlug };
    },
    async skillRunGenerate(runId) {
      // Skills that read the web (front-matter `tools: [fetch_page]`) fetch through the ICP scraper's
      // crawler: SSRF-guarded, robots.txt respected, private hosts only with ICP_SCRAPER_ALLOW_PRIVATE_HOSTS.
      const crawler = deps.config.ICP_SCRAPER_DRIVER === 'apify' && !deps.config.APIFY_TOKEN ? null : crawlerFromConfig(deps.config);
      const out = await asActivity(() => generateRunOutput(deps.db, ai, runId, { workflowId: currentWorkflowId(), crawler }));
      return { outputId: out.outputId, title: out.title, reused: !out.created };
    },
    async skillRunFinish({ runId, status, error }) {
      await finishRun(deps.db, runId, status, error);
    },
    async skillRunNotify(runId) {
      const outcome = await runOutcome(deps.db, runId);
      if (!outcome?.notify) return 'none';
      if (outcome.notify.kind === 'telegram') {
        const bot = telegramFromConfig(deps.config);
        if (!bot) {
          log.warn('a run asked for a Telegram reply but Telegram is not configured', { runId });
          return 'none';
        }
        await notifyRunOnTelegram(bot, outcome.notify, outcome);
        return 'telegram';
      }
      await postRunCallback(
        outcome.notify.url,
        {
          event: 'skill_run.finished',
          runId,
          clientId: outcome.clientId,
          skill: outcome.skill,
          status: outcome.status,
          outputId: outcome.outputId,
          title: outcome.title,
          error: outcome.error,
        },
        { secret: deps.signingSecret, allowPrivateHosts: deps.config.CALLBACK_ALLOW_PRIVATE_HOSTS },
      );
      return 'callback';
    },
    async skillDigestBuild({ at }) {
      const digest = await buildSkillDigest(deps.db, new Date(at));
      const data = digest.data as { skills?: unknown[]; totalRatings?: number };
      return { digestId: digest.id, skills: data.skills?.length ?? 0, ratings: data.totalRatings ?? 0 };
    },
  };
}

// The Telegram bot's dependencies from the process's parts: the Bot API client, the AI engine for
// detection, `requestSkillRun` and the playbook-run facade (Temporal) behind the engine's contracts. Null when no
// bot token is configured. Without an Anthropic key a run still starts and fails at once with "AI
// not configured"; its workflow then edits the chat's "Working on…" message to say so.
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { aiDepsFromConfig } from '../engines/ai/setup';
import { UnknownSkill } from '../engines/skill-runs/runs';
import type { BotDeps } from '../engines/telegram-bot/deps';
import { telegramFromConfig } from '../integrations/telegram';
import { requestSkillRun } from './skill-runs';
import { PlaybookSkillsMissing, UnknownPlaybook } from '../engines/playbooks/runs';
import { decidePlaybookCheckpoint, PlaybookCommandRefused, requestPlaybookRun, retryPlaybookStep } from './playbook-runs';

export function telegramBotDeps(a: { db: Db; temporal: Client; taskQueue: string; config: Config; logger: Logger }): BotDeps | null {
  const bot = telegramFromConfig(a.config);
  if (!bot) return null;
  return {
    db: a.db,
    bot,
    ai: aiDepsFromConfig(a.db, a.config),
    logger: a.logger.child({ component: 'telegram-bot' }),
    startRun: async (run) => {
      try {
        const row = await requestSkillRun({ db: a.db, temporal: a.temporal, taskQueue: a.taskQueue }, run);
        return { ok: true, runId: row.id };
      } catch (err) {
        if (err instanceof UnknownSkill) return { ok: false, reason: 'unknown-skill' };
        throw err;
      }
    },
    startPlaybook: async (run) => {
      try {
        const row = await requestPlaybookRun({ db: a.db, temporal: a.temporal, taskQueue: a.taskQueue }, run);
        return { ok: true, runId: row.id };
      } catch (err) {
        if (err instanceof UnknownPlaybook) return { ok: false, reason: 'unknown-playbook' };
        if (err instanceof PlaybookSkillsMissing) return { ok: false, reason: 'skills-missing', skills: err.skills };
        throw err;
      }
    },
    playbookCommand: async ({ runId, action, stepKey, userId }) => {
      try {
        if (action === 'retry') await retryPlaybookStep(a.temporal, runId, { step: stepKey, userId });
        else await decidePlaybookCheckpoint(a.temporal, runId, { decision: action, step: stepKey, userId });
        return { ok: true };
      } catch (err) {
        if (err instanceof PlaybookCommandRefused) return { ok: false, reason: err.message };
        throw err;
      }
    },
  };
}

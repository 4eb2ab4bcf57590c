// What the bot's conversation needs, passed in: the database, the Bot API client, the AI engine for
// skill detection (null without a key) and a way to start a skill run (the lifecycle layer's
// requestSkillRun, adapted so this engine never touches Temporal).
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { TelegramBot } from '../../integrations/telegram';
import type { AiDeps } from '../ai/structured';
import type { NewRun } from '../skill-runs/runs';

export type StartRunResult = { ok: true; runId: string } | { ok: false; reason: 'unknown-skill' };

export interface BotDeps {
  db: Db;
  bot: TelegramBot;
  ai: AiDeps | null;
  startRun(run: NewRun): Promise<StartRunResult>;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  now?: () => Date;
}

// What the bot's conversation needs, passed in: the database, the Bot API client, the AI engine for
// skill detection (null without a key) and ways to start a skill run or a playbook run and to answer
// a playbook's buttons (the lifecycle layer's functions, adapted so this engine never touches Temporal).
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { TelegramBot } from '../../integrations/telegram';
import type { AiDeps } from '../ai/structured';
import type { NewRun } from '../skill-runs/runs';
import type { NewPlaybookRun } from '../playbooks/runs';
import type { PlaybookButton } from './playbooks';

export type StartRunResult = { ok: true; runId: string } | { ok: false; reason: 'unknown-skill' };
export type StartPlaybookResult =
  { ok: true; runId: string } | { ok: false; reason: 'unknown-playbook' } | { ok: false; reason: 'skills-missing'; skills: string[] };
/** A button pressed on a playbook message: the run's checkpointDecision or retryStep update. */
export interface PlaybookCommand {
  runId: string;
  action: PlaybookButton;
  stepKey: string;
  userId: string;
}
export type PlaybookCommandResult = { ok: true } | { ok: false; reason: string };

export interface BotDeps {
  db: Db;
  bot: TelegramBot;
  ai: AiDeps | null;
  startRun(run: NewRun): Promise<StartRunResult>;
  /** Starts a playbook run (the lifecycle layer's requestPlaybookRun). */
  startPlaybook(run: NewPlaybookRun): Promise<StartPlaybookResult>;
  /** Sends a checkpoint decision or a step retry to the run's workflow. */
  playbookCommand(c: PlaybookCommand): Promise<PlaybookCommandResult>;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  now?: () => Date;
}

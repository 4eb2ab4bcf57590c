// A playbook run in chat: what the bot says when a checkpoint opens (the step's output, Approve /
// Reject buttons), when a step fails (a Retry button) and when the run ends; and the buttons'
// callback data, which the conversation turns into the run's checkpointDecision / retryStep update.
import type { Db } from '../../db/client';
import type { InlineKeyboard, TelegramBot } from '../../integrations/telegram';
import { loadPlaybookRunView, type PlaybookNotify, type PlaybookRunView } from '../playbooks/runs';
import { oneLine } from './messages';
import { userFacingError } from './notify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIONS = { a: 'approve', r: 'reject', t: 'retry' } as const;
export type PlaybookButton = (typeof ACTIONS)[keyof typeof ACTIONS];

/** `pb:<a|r|t>:<runId>:<step position>`: at most 44 bytes, within Telegram's 64. */
export const playbookCallbackData = (action: PlaybookButton, runId: string, position: number) =>
  `pb:${Object.entries(ACTIONS).find(([, v]) => v === action)![0]}:${runId}:${position}`;

export function parsePlaybookCallback(data: string | undefined): { action: PlaybookButton; runId: string; position: number } | null {
  const m = /^pb:([art]):([^:]+):(\d{1,2})$/.exec(data ?? '');
  if (!m || !UUID.test(m[2])) return null;
  return { action: ACTIONS[m[1] as keyof typeof ACTIONS], runId: m[2].toLowerCase(), position: Number(m[3]) };
}

export type PlaybookEvent = 'checkpoint' | 'step_failed' | 'finished';

const PREVIEW = 1500;

export function playbookMessage(view: PlaybookRunView, event: PlaybookEvent, stepKey?: string): { text: string; keyboard?: InlineKeyboard } | null {
  const title = `Playbook ${view.playbook}`;
  const step = view.steps.find((s) => s.key === stepKey);
  if (event === 'checkpoint' && step) {
    const output = step.output ?? '';
    return {
      text: [
        `⏸ ${title}: step "${step.key}" (${step.skill}) is done.`,
        output.length > PREVIEW ? `${output.slice(0, PREVIEW).trim()}…` : output.trim(),
        step.outputId ? `Full output: /download ${step.outputId}` : '',
        step.checkpoint ?? 'Approve to go on.',
      ]
        .filter(Boolean)
        .join('\n\n'),
      keyboard: [
        [
          { text: '✓ Approve', callback_data: playbookCallbackData('approve', view.playbookRunId, step.position) },
          { text: '✗ Reject', callback_data: playbookCallbackData('reject', view.playbookRunId, step.position) },
        ],
      ],
    };
  }
  if (event === 'step_failed' && step) {
    return {
      text: `✗ ${title}: step "${step.key}" (${step.skill}) failed: ${userFacingError(step.error)}\n\nThe steps before it are kept; retry this one when ready.`,
      keyboard: [[{ text: '↻ Retry step', callback_data: playbookCallbackData('retry', view.playbookRunId, step.position) }]],
    };
  }
  if (event === 'finished') {
    if (view.status === 'completed') {
      const outputs = view.steps.filter((s) => s.outputId).map((s) => `${s.key}: /download ${s.outputId}`);
      return { text: [`✓ ${title} is complete.`, ...outputs].join('\n') };
    }
    if (view.status === 'rejected') return { text: `✗ ${title} was rejected${view.error ? `: ${oneLine(view.error, 200)}` : ''}.` };
    if (view.status === 'cancelled') return { text: `✗ ${title} was cancelled.` };
    return { text: `✗ ${title} failed: ${userFacingError(view.error)}` };
  }
  return null;
}

/** Sends the event's message to the run's chat; 'none' when the run has no chat or nothing to say. */
export async function notifyPlaybookOnTelegram(
  db: Db,
  bot: TelegramBot,
  notify: PlaybookNotify,
  a: { runId: string; event: PlaybookEvent; stepKey?: string },
): Promise<'sent' | 'none'> {
  const view = await loadPlaybookRunView(db, a.runId);
  if (!view) return 'none';
  const message = playbookMessage(view, a.event, a.stepKey);
  if (!message) return 'none';
  await bot.sendMessage(notify.chatId, message.text, { keyboard: message.keyboard });
  return 'sent';
}

export const playbookText = {
  usage: () => 'Send /playbook <name> <what you need>, e.g. /playbook email-campaign a launch campaign for our new audit service.',
  unknown: (slug: string, known: string[]) => `There is no playbook ${slug}. Playbooks: ${known.join(', ') || '(none installed)'}.`,
  skillsMissing: (skills: string[]) => `That playbook needs skills that are not installed: ${skills.join(', ')}.`,
  started: (name: string, client: string, steps: number) =>
    `Started ${name} for ${client} (${steps} steps). I'll message you at each checkpoint and when it's done.`,
  decided: (what: string) => `${what}.`,
  refused: (why: string) => oneLine(why, 180),
  runNotFound: () => 'Run not found (or it belongs to a client you are not a member of).',
  // Improving a skill needs an admin's say, which chat buttons do not check: the API does.
  apiOnly: (slug: string) => `${slug} works on a skill and is started and decided through the API (POST /api/v1/skills/{slug}/improvements).`,
};

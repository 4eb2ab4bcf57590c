// The bot's side of a chat, one update at a time: linking (`/link <code>`), help, skill requests
// (detect → "Working on…" → start the run; the run's workflow later edits that message), downloads,
// rating buttons and the "what worked?" follow-up. Only linked Telegram users in private chats are
// served; everyone else gets a polite explanation of how to link.
import { outputFileName } from '../skill-runs/runs';
import { findRunnableSkill, listRunnableSkills } from '../skill-runs/skill-store';
import { detectSkill, parseCommand, type NamedClient } from '../skill-runs/detect';
import { addWhatWorked, OutputNotFound, recordChatRating } from '../skill-runs/feedback';
import type { MembershipRole } from '../../db/client';
import { isStaleCallback, type ParsedTelegramUpdate, type TgCallbackQuery, type TgMessage } from '../../integrations/telegram';
import type { BotDeps } from './deps';
import { linkedTelegramChannel, redeemLinkCode } from './link-codes';
import { text } from './messages';
import { parseRateCallback } from './notify';
import { parsePlaybookCallback, playbookText } from './playbooks';
import { extractClient } from '../skill-runs/detect';
import { needsTargetSkill } from '../playbooks/definition';
import { playbookSteps } from '../playbooks/library';

/** What was done with an update (for the inbox row and the logs); `ignored` updates did nothing. */
export type HandledUpdate = { handled: string } | { ignored: string };

/** A "what worked" question older than this is forgotten: the next message is a new request. */
const PENDING_FEEDBACK_TTL_MS = 24 * 3_600_000;
const NOTE_MAX = 4000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type LinkedChannel = NonNullable<Awaited<ReturnType<typeof linkedTelegramChannel>>>;

interface ClientRole extends NamedClient {
  role: MembershipRole;
}

const canRun = (role: MembershipRole) => role !== 'viewer';

export async function handleTelegramUpdate(deps: BotDeps, update: ParsedTelegramUpdate): Promise<HandledUpdate> {
  switch (update.kind) {
    case 'message':
      return onMessage(deps, update.message);
    case 'callback_query':
      return onCallbackQuery(deps, update.callbackQuery);
    default:
      return { ignored: `${update.type} updates need no action` };
  }
}

async function clientsOf(deps: BotDeps, userId: string): Promise<ClientRole[]> {
  const rows = await deps.db.membership.findMany({
    where: { userId, deletedAt: null, client: { deletedAt: null } },
    select: { role: true, client: { select: { id: true, name: true } } },
    orderBy: { client: { name: 'asc' } },
  });
  return rows.map((r) => ({ id: r.client.id, name: r.client.name, role: r.role }));
}

/** The built-ins and the own skills of the user's clients, one per slug. */
async function chatSkills(deps: BotDeps, userId: string): Promise<Array<{ slug: string; name: string; description: string }>> {
  const clients = await clientsOf(deps, userId);
  const seen = new Set<string>();
  return (
    await listRunnableSkills(
      deps.db,
      clients.map((c) => c.id),
    )
  )
    .filter((s) => !seen.has(s.slug) && seen.add(s.slug))
    .map(({ slug, name, description }) => ({ slug, name, description }));
}

async function onMessage(deps: BotDeps, m: TgMessage): Promise<HandledUpdate> {
  if (!m.from || m.from.is_bot) return { ignored: 'message without a human sender' };
  // Outputs are client work: never posted where others read along.
  if (m.chat.type !== 'private') return { ignored: `message in a ${m.chat.type} chat` };
  const chatId = String(m.chat.id);
  const externalId = String(m.from.id);
  const say = (t: string) => deps.bot.sendMessage(chatId, t);
  const raw = m.text?.trim() ?? '';
  const command = raw ? parseCommand(raw) : null;

  // `/start <code>` is what a t.me/<bot>?start=<code> deep link sends.
  if (command && (command.slug === 'link' || (command.slug === 'start' && command.rest))) {
    return link(deps, { chatId, externalId, code: command.rest });
  }

  const channel = await linkedTelegramChannel(deps.db, externalId);
  if (!channel) {
    await say(text.notLinked());
    return { handled: 'refused: not linked' };
  }
  if (channel.chatId !== chatId) await deps.db.userChannel.update({ where: { id: channel.id }, data: { chatId } });
  if (!raw) {
    await say(text.textOnly());
    return { handled: 'non-text message' };
  }

  if (command) {
    switch (command.slug) {
      case 'start':
      case 'help':
        await say(text.help(await chatSkills(deps, channel.userId)));
        return { handled: 'help' };
      case 'skip':
        return skip(deps, channel, chatId);
      case 'download':
        return download(deps, channel, chatId, command.rest);
      case 'playbook':
        return playbookRequest(deps, channel, chatId, command.rest);
      default: {
        if (!(await chatSkills(deps, channel.userId)).some((s) => s.slug === command.slug)) {
          await say(text.unknownCommand(command.slug.replace(/-/g, '_')));
          return { handled: 'unknown command' };
        }
        if (!command.rest) {
          await say(text.emptyCommand(command.slug));
          return { handled: 'empty skill command' };
        }
        return skillRequest(deps, channel, chatId, raw);
      }
    }
  }

  if (channel.pendingFeedbackId) {
    const noted = await whatWorked(deps, channel, chatId, raw);
    if (noted) return noted;
  }
  return skillRequest(deps, channel, chatId, raw);
}

async function link(deps: BotDeps, a: { chatId: string; externalId: string; code: string }): Promise<HandledUpdate> {
  const say = (t: string) => deps.bot.sendMessage(a.chatId, t);
  const code = a.code.split(/\s+/)[0] ?? '';
  if (!code) {
    await say(text.linkUsage());
    return { handled: 'link: no code' };
  }
  const result = await redeemLinkCode(deps.db, { code, externalId: a.externalId, chatId: a.chatId, now: deps.now?.() });
  if (!result.ok) {
    await say(result.reason === 'expired' ? text.linkExpired() : text.linkInvalid());
    return { handled: `link: ${result.reason} code` };
  }
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: result.channel.userId }, select: { name: true, email: true } });
  const clients = await clientsOf(deps, result.channel.userId);
  await say(text.linked(user.name ? `${user.name} (${user.email})` : user.email, clients));
  deps.logger?.info({ userId: result.channel.userId, channelId: result.channel.id }, 'telegram account linked');
  return { handled: 'linked' };
}

async function skip(deps: BotDeps, channel: LinkedChannel, chatId: string): Promise<HandledUpdate> {
  if (!channel.pendingFeedbackId) {
    await deps.bot.sendMessage(chatId, text.nothingToSkip());
    return { handled: 'skip: nothing pending' };
  }
  await deps.db.userChannel.updateMany({ where: { id: channel.id, pendingFeedbackId: channel.pendingFeedbackId }, data: { pendingFeedbackId: null } });
  await deps.bot.sendMessage(chatId, text.skipped());
  return { handled: 'skip' };
}

/** Stores the message as the pending rating's "what worked"; null when nothing (fresh) was pending. */
async function whatWorked(deps: BotDeps, channel: LinkedChannel, chatId: string, note: string): Promise<HandledUpdate | null> {
  const feedbackId = channel.pendingFeedbackId!;
  // Cleared first and guarded, so one answer is stored once even if two messages race.
  const cleared = await deps.db.userChannel.updateMany({ where: { id: channel.id, pendingFeedbackId: feedbackId }, data: { pendingFeedbackId: null } });
  if (cleared.count === 0) return null;
  const feedback = await deps.db.feedback.findUnique({ where: { id: feedbackId }, select: { id: true, createdAt: true } });
  const now = deps.now?.() ?? new Date();
  if (!feedback || now.getTime() - feedback.createdAt.getTime() > PENDING_FEEDBACK_TTL_MS) return null;
  await addWhatWorked(deps.db, feedback.id, note.slice(0, NOTE_MAX));
  await deps.bot.sendMessage(chatId, text.whatWorkedSaved());
  return { handled: 'what worked noted' };
}

async function download(deps: BotDeps, channel: LinkedChannel, chatId: string, rest: string): Promise<HandledUpdate> {
  const id = rest.split(/\s+/)[0] ?? '';
  if (!id) {
    await deps.bot.sendMessage(chatId, text.downloadUsage());
    return { handled: 'download: no id' };
  }
  const clientIds = (await clientsOf(deps, channel.userId)).map((c) => c.id);
  const output = UUID.test(id) ? await deps.db.output.findFirst({ where: { id: id.toLowerCase(), deletedAt: null, clientId: { in: clientIds } } }) : null;
  if (!output) {
    await deps.bot.sendMessage(chatId, text.outputNotFound());
    return { handled: 'download: not found' };
  }
  await deps.bot.sendDocument(chatId, { fileName: outputFileName(output), content: output.content }, { caption: output.title });
  return { handled: 'download' };
}

async function skillRequest(deps: BotDeps, channel: LinkedChannel, chatId: string, message: string): Promise<HandledUpdate> {
  const say = (t: string) => deps.bot.sendMessage(chatId, t);
  const clients = await clientsOf(deps, channel.userId);
  if (clients.length === 0) {
    await say(text.noClients());
    return { handled: 'request: no clients' };
  }
  // All the user's clients, viewers' too: naming a client one only views must be refused, not
  // quietly run for another client.
  const detection = await detectSkill({ db: deps.db, ai: deps.ai }, { message, clients: clients.map(({ id, name }) => ({ id, name })) });
  if (!detection.skill) {
    await say(text.couldNotTell(detection.note));
    return { handled: 'request: skill unknown' };
  }
  let client: ClientRole | undefined = detection.client ? clients.find((c) => c.id === detection.client!.id) : undefined;
  if (!client) {
    const runnable = clients.filter((c) => canRun(c.role));
    if (runnable.length === 1) client = runnable[0];
    else if (runnable.length === 0) {
      await say(text.viewerOnly(clients.map((c) => c.name).join(', ')));
      return { handled: 'request: viewer only' };
    } else {
      await say(text.whichClient(runnable));
      return { handled: 'request: client unknown' };
    }
  }
  if (!canRun(client.role)) {
    await say(text.viewerOnly(client.name));
    return { handled: 'request: viewer' };
  }
  const skill = await findRunnableSkill(deps.db, client.id, detection.skill);
  const request = detection.request.trim() || message;

  const working = await say(text.working(skill?.name ?? detection.skill, client.name));
  // A new request moves on from an unanswered "what worked?" question.
  if (channel.pendingFeedbackId)
    await deps.db.userChannel.updateMany({ where: { id: channel.id, pendingFeedbackId: channel.pendingFeedbackId }, data: { pendingFeedbackId: null } });
  const edit = (t: string) => deps.bot.editMessageText(chatId, working.messageId, t);
  try {
    const started = await deps.startRun({
      clientId: client.id,
      userId: channel.userId,
      skillSlug: detection.skill,
      message: request,
      source: 'telegram',
      notify: { kind: 'telegram', chatId, messageId: working.messageId },
    });
    if (!started.ok) {
      await edit(text.skillGone(detection.skill));
      return { handled: `request: ${started.reason}` };
    }
    deps.logger?.info({ runId: started.runId, clientId: client.id, skill: detection.skill, method: detection.method }, 'skill run requested from telegram');
    return { handled: 'request: run started' };
  } catch (err) {
    // The user has a "Working on…" message: it must not stay there forever.
    deps.logger?.warn({ err, clientId: client.id, skill: detection.skill }, 'telegram skill run could not be started');
    await edit(text.startFailed());
    return { handled: 'request: start failed' };
  }
}

async function onCallbackQuery(deps: BotDeps, q: TgCallbackQuery): Promise<HandledUpdate> {
  // A button press shows a spinner until answered; a late answer (Telegram's deadline passed) is moot.
  const answer = async (t: string) => {
    try {
      await deps.bot.answerCallbackQuery(q.id, { text: t });
    } catch (err) {
      if (!isStaleCallback(err)) throw err;
    }
  };
  const playbookButton = parsePlaybookCallback(q.data);
  if (playbookButton) return onPlaybookButton(deps, q, playbookButton, answer);
  const rate = parseRateCallback(q.data);
  if (!rate) {
    await answer(text.ratingButtonUnknown());
    return { handled: 'callback: unknown button' };
  }
  const channel = await linkedTelegramChannel(deps.db, String(q.from.id));
  if (!channel) {
    await answer(text.notLinked().split('\n\n')[0]);
    return { handled: 'callback: not linked' };
  }
  const output = await deps.db.output.findFirst({ where: { id: rate.outputId, deletedAt: null }, select: { clientId: true } });
  const membership = output
    ? await deps.db.membership.findFirst({
        where: { userId: channel.userId, clientId: output.clientId, deletedAt: null, client: { deletedAt: null } },
        select: { role: true },
      })
    : null;
  if (!membership) {
    await answer(text.outputNotFound());
    return { handled: 'callback: output not found' };
  }
  if (!canRun(membership.role)) {
    await answer(text.cannotRate());
    return { handled: 'callback: viewer' };
  }
  let feedbackId: string;
  try {
    feedbackId = (await recordChatRating(deps.db, { outputId: rate.outputId, userId: channel.userId, rating: rate.rating, source: 'telegram' })).id;
  } catch (err) {
    if (!(err instanceof OutputNotFound)) throw err;
    await answer(text.outputNotFound());
    return { handled: 'callback: output not found' };
  }
  await answer(text.thanks());
  await deps.db.userChannel.update({ where: { id: channel.id }, data: { pendingFeedbackId: feedbackId } });
  const chatId = q.message ? String(q.message.chat.id) : channel.chatId;
  if (chatId) await deps.bot.sendMessage(chatId, text.thanksAskWhatWorked());
  return { handled: `rated ${rate.rating}` };
}

// ---- playbooks ----------------------------------------------------------------------------------

/** `/playbook <slug> <request>`: a run for the client named in the request (or the user's only one). */
async function playbookRequest(deps: BotDeps, channel: LinkedChannel, chatId: string, rest: string): Promise<HandledUpdate> {
  const say = (t: string) => deps.bot.sendMessage(chatId, t);
  const [slug = '', ...words] = rest.split(/\s+/);
  const request = words.join(' ').trim();
  if (!slug || !request) {
    await say(playbookText.usage());
    return { handled: 'playbook: usage' };
  }
  const playbook = await deps.db.playbook.findUnique({
    where: { slug: slug.toLowerCase().replace(/_/g, '-') },
    select: { slug: true, name: true, steps: true },
  });
  if (!playbook) {
    const known = await deps.db.playbook.findMany({ select: { slug: true }, orderBy: { slug: 'asc' } });
    await say(
      playbookText.unknown(
        slug,
        known.map((p) => p.slug),
      ),
    );
    return { handled: 'playbook: unknown' };
  }
  if (needsTargetSkill(playbookSteps(playbook))) {
    await say(playbookText.apiOnly(playbook.slug));
    return { handled: 'playbook: api only' };
  }
  const clients = await clientsOf(deps, channel.userId);
  const runnable = clients.filter((c) => canRun(c.role));
  if (runnable.length === 0) {
    await say(clients.length === 0 ? text.noClients() : text.viewerOnly(clients.map((c) => c.name).join(', ')));
    return { handled: 'playbook: no runnable client' };
  }
  const { client } = extractClient(request, runnable);
  if (!client) {
    await say(text.whichClient(runnable));
    return { handled: 'playbook: client unknown' };
  }
  const started = await deps.startPlaybook({
    clientId: client.id,
    userId: channel.userId,
    playbookSlug: playbook.slug,
    request,
    source: 'telegram',
    notify: { kind: 'telegram', chatId },
  });
  if (!started.ok) {
    await say(started.reason === 'skills-missing' ? playbookText.skillsMissing(started.skills) : playbookText.unknown(slug, []));
    return { handled: `playbook: ${started.reason}` };
  }
  const steps = await deps.db.playbookRunStep.count({ where: { runId: started.runId } });
  await say(playbookText.started(playbook.name, client.name, steps));
  deps.logger?.info({ playbookRunId: started.runId, clientId: client.id, playbook: playbook.slug }, 'playbook run requested from telegram');
  return { handled: 'playbook: run started' };
}

/** Approve / Reject (a checkpoint) or Retry (a failed step): members of the run's client only. */
async function onPlaybookButton(
  deps: BotDeps,
  q: TgCallbackQuery,
  button: NonNullable<ReturnType<typeof parsePlaybookCallback>>,
  answer: (t: string) => Promise<void>,
): Promise<HandledUpdate> {
  const channel = await linkedTelegramChannel(deps.db, String(q.from.id));
  if (!channel) {
    await answer(text.notLinked().split('\n\n')[0]);
    return { handled: 'callback: not linked' };
  }
  const run = await deps.db.playbookRun.findFirst({
    where: { id: button.runId, client: { deletedAt: null } },
    select: { clientId: true, playbookSlug: true, targetVersion: true, steps: { where: { position: button.position }, select: { key: true } } },
  });
  const membership = run
    ? await deps.db.membership.findFirst({ where: { userId: channel.userId, clientId: run.clientId, deletedAt: null }, select: { role: true } })
    : null;
  const step = run?.steps[0];
  if (!run || !membership || !step) {
    await answer(playbookText.runNotFound());
    return { handled: 'callback: playbook run not found' };
  }
  if (!canRun(membership.role)) {
    await answer(text.viewerOnly('this client'));
    return { handled: 'callback: viewer' };
  }
  if (run.targetVersion !== null) {
    await answer(playbookText.refused(playbookText.apiOnly(run.playbookSlug)));
    return { handled: 'callback: playbook api only' };
  }
  const result = await deps.playbookCommand({ runId: button.runId, action: button.action, stepKey: step.key, userId: channel.userId });
  if (!result.ok) {
    await answer(playbookText.refused(result.reason));
    return { handled: `callback: playbook ${button.action} refused` };
  }
  const done = { approve: `Approved "${step.key}"`, reject: `Rejected "${step.key}"`, retry: `Retrying "${step.key}"` }[button.action];
  await answer(playbookText.decided(done));
  // The buttons have done their job: the message keeps its text and says what was decided.
  if (q.message) {
    try {
      await deps.bot.editMessageText(String(q.message.chat.id), q.message.message_id, `${(q.message as { text?: string }).text ?? ''}\n\n${done}.`.trim());
    } catch (err) {
      deps.logger?.warn({ err }, 'could not update the playbook message after a button press');
    }
  }
  return { handled: `playbook ${button.action}` };
}

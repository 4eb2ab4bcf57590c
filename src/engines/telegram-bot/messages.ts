// What the bot says. Plain text only (no parse_mode): user and AI text can then never break
// Markdown/HTML entity parsing; long texts are cut to Telegram's 4096 characters by the client.
import type { NamedClient } from '../skill-runs/detect';

export interface SkillLine {
  slug: string;
  name: string;
  description: string;
}

const clientList = (clients: readonly { name: string }[]) => clients.map((c) => c.name).join(', ');

export const text = {
  notLinked: () =>
    [
      "Hi! I'm the Agency OS bot, and I only work with linked Agency OS accounts.",
      'To link yours: ask the Agency OS API for a code (POST /api/v1/me/telegram/link-code, or the "Link Telegram" button in the dashboard), then send it here as:',
      '/link <code>',
    ].join('\n\n'),

  linkUsage: () => 'Send your one-time code like this: /link ABCD2345 (get one from POST /api/v1/me/telegram/link-code).',
  linkInvalid: () => "That code isn't valid, or it has already been used. Ask for a new one (POST /api/v1/me/telegram/link-code) and send /link <code>.",
  linkExpired: () => 'That code has expired (codes last 15 minutes). Ask for a new one and send /link <code> again.',
  linked: (who: string, clients: readonly NamedClient[]) =>
    [
      `Linked! This Telegram account now acts as ${who}.`,
      clients.length > 0 ? `Your clients: ${clientList(clients)}.` : "You aren't a member of any client yet, so there is nothing to run skills for.",
      'Send /help to see what I can do.',
    ].join('\n'),

  help: (skills: readonly SkillLine[]) =>
    [
      'Tell me what you need in plain words, e.g. "Write homepage copy for <client>", or start with a skill command:',
      skills.length > 0
        ? skills.map((s) => `/${s.slug.replace(/-/g, '_')} ${s.name}: ${oneLine(s.description, 120)}`).join('\n')
        : '(no skills are installed yet)',
      'Other commands:\n/playbook <name> <request> run a multi-step playbook (e.g. /playbook email-campaign …)\n/download <output id> the full output as a file\n/skip skip the feedback question\n/link <code> link this chat to an Agency OS account',
    ].join('\n\n'),

  unknownCommand: (command: string) => `I don't know /${command}. Send /help for the skills and commands I know.`,
  emptyCommand: (slug: string) => `What should I do with /${slug}? Send it with your request, e.g. /${slug.replace(/-/g, '_')} homepage copy for <client>.`,
  textOnly: () => 'I can only read text messages. Tell me what you need in words.',

  noClients: () => "You aren't a member of any client, so I can't run skills for you. Ask a client admin to add you.",
  viewerOnly: (client: string) => `You can view ${client} but not run skills for it (your role is viewer). Ask a client admin for member access.`,
  whichClient: (clients: readonly NamedClient[]) => `Which client is this for? ${clientList(clients)}.\nSend your request again with the client's name in it.`,
  couldNotTell: (note: string | null) => note ?? 'I could not tell which skill you want. Send /help for the list.',

  working: (skill: string, client: string) => `Working on ${skill} for ${client}… This may take a minute or two.`,
  skillGone: (slug: string) => `The skill ${slug} is no longer installed. Send /help for the current list.`,
  startFailed: () => "Sorry, I couldn't start that run. Please try again in a moment.",

  downloadUsage: () => 'Send /download followed by the output id from the result message.',
  outputNotFound: () => 'Output not found (or it belongs to a client you are not a member of).',

  thanksAskWhatWorked: () => 'Thanks for the feedback! What worked well? (Reply, or /skip)',
  whatWorkedSaved: () => 'Thanks, noted! (If that was meant as a new request, just send it again.)',
  skipped: () => 'OK, skipped.',
  nothingToSkip: () => 'Nothing to skip.',
  cannotRate: () => "You can't rate this output.",
  ratingButtonUnknown: () => 'This button no longer works.',
  thanks: () => 'Thanks!',
};

/** The first line of a text, at most `max` characters. */
export function oneLine(s: string, max: number): string {
  const line =
    s
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

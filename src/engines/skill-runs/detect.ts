// Which skill a chat or API message asks for, in three steps: a direct command (`/copywriting …`)
// wins; else the skills' trigger phrases are matched with a confidence; below the threshold a small
// Claude model chooses among the candidates (budget-checked against the client), and without an API
// key the best keyword match is returned with its low confidence, or "could not tell" with the
// candidates. The client named in the message is picked out of the caller's clients.
import { z } from 'zod';
import type { Db } from '../../db/client';
import { callStructured, type AiDeps } from '../ai/structured';
import { listRunnableSkills } from './skill-store';

export const CONFIDENCE_THRESHOLD = 0.7;
/** Two candidates this close are ambiguous whatever their scores. */
const AMBIGUITY_MARGIN = 0.1;
const MAX_CANDIDATES = 5;

export interface DetectableSkill {
  slug: string;
  name: string;
  description: string;
  triggers: string[];
}

export interface NamedClient {
  id: string;
  name: string;
}

export interface SkillCandidate {
  slug: string;
  name: string;
  confidence: number;
  matched: string[];
}

export type DetectionMethod = 'command' | 'keyword' | 'llm' | 'none';

export interface Detection {
  /** Null when no skill could be told. */
  skill: string | null;
  confidence: number;
  method: DetectionMethod;
  /** The request without a leading command. */
  request: string;
  candidates: SkillCandidate[];
  client: NamedClient | null;
  /** The caller's clients, when several could be meant and none was named. */
  clientCandidates: NamedClient[];
  /** A sentence for the user when skill or client is unknown, or why the LLM was not asked. */
  note: string | null;
}

export interface DetectInput {
  message: string;
  /** The clients the caller may run skills for. */
  clients: NamedClient[];
  /** The client the caller already chose (API field, chat context). */
  clientId?: string;
}

// ---- text matching ------------------------------------------------------------------------------

/** Lower-case words with plural "s" dropped, so "emails" matches "email" and "ads" matches "ad". */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length >= 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function containsPhrase(haystack: string[], phrase: string[]): boolean {
  if (phrase.length === 0 || phrase.length > haystack.length) return false;
  outer: for (let i = 0; i + phrase.length <= haystack.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (haystack[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** One trigger word is weak evidence, a three-word phrase strong; each further match adds a little. */
function phraseScore(wordCount: number): number {
  return wordCount >= 3 ? 0.9 : wordCount === 2 ? 0.8 : 0.6;
}

export function keywordCandidates(message: string, skills: readonly DetectableSkill[]): SkillCandidate[] {
  const text = words(message);
  const out: SkillCandidate[] = [];
  for (const s of skills) {
    const matched = s.triggers.filter((t) => containsPhrase(text, words(t)));
    // The skill's own name ("copywriting", "ad copy") counts as a trigger too.
    if (containsPhrase(text, words(s.name)) && !matched.includes(s.name.toLowerCase())) matched.push(s.name.toLowerCase());
    if (matched.length === 0) continue;
    const best = Math.max(...matched.map((t) => phraseScore(words(t).length)));
    const confidence = Math.min(0.98, best + 0.05 * (matched.length - 1));
    out.push({ slug: s.slug, name: s.name, confidence: round2(confidence), matched });
  }
  return out.sort((a, b) => b.confidence - a.confidence || b.matched.length - a.matched.length || a.slug.localeCompare(b.slug)).slice(0, MAX_CANDIDATES);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** `/slug rest` or `/slug@botname rest`: the command's slug and the rest of the message. */
export function parseCommand(message: string): { slug: string; rest: string } | null {
  const m = /^\/([a-z0-9][a-z0-9_-]*)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(message.trim());
  if (!m) return null;
  return { slug: m[1].toLowerCase().replace(/_/g, '-'), rest: (m[2] ?? '').trim() };
}

/** The caller's client named in the message (longest name wins), else the only one they have. */
export function extractClient(message: string, clients: readonly NamedClient[], chosenId?: string): { client: NamedClient | null; ambiguous: NamedClient[] } {
  if (chosenId) return { client: clients.find((c) => c.id === chosenId) ?? null, ambiguous: [] };
  const text = words(message);
  const named = clients
    .map((c) => ({ c, w: words(c.name) }))
    .filter(({ w }) => containsPhrase(text, w))
    .sort((a, b) => b.w.length - a.w.length);
  if (named.length > 0) return { client: named[0].c, ambiguous: [] };
  if (clients.length === 1) return { client: clients[0], ambiguous: [] };
  return { client: null, ambiguous: [...clients].sort((a, b) => a.name.localeCompare(b.name)) };
}

// ---- detection ----------------------------------------------------------------------------------

const Choice = z.object({
  skill: z.string().describe('the slug of the skill that best fits the request, or "none" when no skill fits'),
  confidence: z.number().min(0).max(1).describe('how sure you are, 0 to 1'),
  reason: z.string().max(300).describe('one short sentence'),
});

export interface DetectDeps {
  db: Db;
  /** Null without an Anthropic key: no disambiguation. */
  ai: AiDeps | null;
}

/** The built-ins and the skills of these clients (one per slug: a client's own before a built-in). */
export async function loadDetectableSkills(db: Db, clientIds: readonly string[]): Promise<DetectableSkill[]> {
  const seen = new Set<string>();
  return (await listRunnableSkills(db, clientIds))
    .filter((s) => !seen.has(s.slug) && seen.add(s.slug))
    .map(({ slug, name, description, triggers }) => ({ slug, name, description, triggers }));
}

export async function detectSkill(deps: DetectDeps, input: DetectInput): Promise<Detection> {
  const message = input.message.trim();
  const { client, ambiguous } = extractClient(message, input.clients, input.clientId);
  // A client's own skills are candidates only for that client (or, while it is unknown, the caller's clients).
  const skills = await loadDetectableSkills(deps.db, client ? [client.id] : input.clients.map((c) => c.id));
  const base = { client, clientCandidates: ambiguous };
  const clientNote = !client && ambiguous.length > 0 ? `Which client is this for? ${ambiguous.map((c) => c.name).join(', ')}.` : null;

  const command = parseCommand(message);
  if (command) {
    const skill = skills.find((s) => s.slug === command.slug);
    if (skill) {
      return {
        ...base,
        skill: skill.slug,
        confidence: 1,
        method: 'command',
        request: command.rest,
        candidates: [{ slug: skill.slug, name: skill.name, confidence: 1, matched: [`/${skill.slug}`] }],
        note: clientNote,
      };
    }
  }

  const candidates = keywordCandidates(message, skills);
  const [top, second] = candidates;
  const clear = top && top.confidence >= CONFIDENCE_THRESHOLD && (!second || top.confidence - second.confidence >= AMBIGUITY_MARGIN);
  if (clear) return { ...base, skill: top.slug, confidence: top.confidence, method: 'keyword', request: message, candidates, note: clientNote };

  // Unclear: a small model chooses, when there is a key and a client to charge.
  if (deps.ai && client) {
    const pool = candidates.length > 0 ? skills.filter((s) => candidates.some((c) => c.slug === s.slug)) : skills;
    const list = pool.map((s) => `- ${s.slug}: ${s.name}. ${s.description}`).join('\n');
    const { output } = await callStructured(
      deps.ai,
      { clientId: client.id, purpose: 'skill-detection' },
      {
        tier: 'fast',
        system:
          'You route a marketing agency user\'s request to exactly one content skill. Answer with the skill\'s slug, or "none" when no listed skill fits.',
        prompt: `Skills:\n${list}\n\nRequest:\n"""\n${message.slice(0, 4000)}\n"""`,
        toolName: 'choose_skill',
        toolDescription: 'Record which skill fits the request.',
        schema: Choice,
        maxTokens: 300,
        temperature: 0,
      },
    );
    const chosen = pool.find((s) => s.slug === output.skill);
    if (chosen) {
      return { ...base, skill: chosen.slug, confidence: round2(output.confidence), method: 'llm', request: message, candidates, note: clientNote };
    }
    return { ...base, skill: null, confidence: 0, method: 'llm', request: message, candidates, note: couldNotTell(candidates, skills) };
  }

  if (top && !(second && second.confidence === top.confidence)) {
    const why = deps.ai ? 'name the client to let the AI choose' : 'AI disambiguation is not configured';
    return {
      ...base,
      skill: top.slug,
      confidence: top.confidence,
      method: 'keyword',
      request: message,
      candidates,
      note:
        clientNote ??
        `Low confidence (${why}); other candidates: ${
          candidates
            .slice(1)
            .map((c) => c.slug)
            .join(', ') || 'none'
        }.`,
    };
  }
  return { ...base, skill: null, confidence: top?.confidence ?? 0, method: 'none', request: message, candidates, note: couldNotTell(candidates, skills) };
}

function couldNotTell(candidates: SkillCandidate[], skills: DetectableSkill[]): string {
  const names = candidates.length > 0 ? candidates.map((c) => `/${c.slug}`) : skills.map((s) => `/${s.slug}`);
  return `Could not tell which skill you want. Start your message with one of: ${names.join(', ')}.`;
}

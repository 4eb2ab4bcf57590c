// value-prop-extractor: the promise the business makes, to whom, and its proof.
// Offline: sentences from the home and about pages (and the meta description) are scored for
// value-proposition cues — "help(s)"/"we make", an outcome ("more", "grow", "win", "fill"), an
// audience ("for dental practices"), a number — with a bonus for the home page and a penalty for
// long sentences; the best is the value proposition. Proof points are lines with figures
// (%, x, +, years); differentiators are list items under "why"/"approach" headings or lines with
// distinctive claims ("no lock-in", "only", "guarantee", "transparent"). The target audience is
// the noun phrase after "help"/"for"/"work with".
import { z } from 'zod';
import { defineSkill, pagesForPrompt } from '../skill';
import { headings, metaDescription, proseLines, sections, sentences, truncate, unique } from '../text';
import { PageWithKind } from './service-extractor';

export const ValuePropInput = z.object({
  companyName: z.string(),
  services: z.array(z.string()),
  pages: z.array(PageWithKind).min(1),
});

export const ValuePropOutput = z.object({
  valueProposition: z.string().min(1).max(400),
  tagline: z.string().max(200).nullable(),
  targetAudience: z.string().max(200).nullable(),
  differentiators: z.array(z.string().max(200)).max(6),
  proofPoints: z.array(z.string().max(200)).max(6),
});
export type ValuePropOutput = z.infer<typeof ValuePropOutput>;

const OUTCOME = /\b(more|grow|growth|win|fill|increase|boost|double|triple|attract|book|convert|scale|save|reduce|cut)\w*/i;
const HELP = /\b(we help|helps?|helping|we make|so (that )?you|we (build|grow|get|turn|deliver))\b/i;
const AUDIENCE_CUE = /\b(?:help|helps|helping|for|work with|partner with|speciali[sz]e in|specialists in)\s+/gi;
const AUDIENCE_NOUN = /^(practices|clinics|providers|firms|businesses|companies|brands|agencies|owners|teams|startups|retailers|stores|venues|schools|organisations|organizations|professionals|tradies|builders)[,.;:]?$/i;

/** "…help dental practices and allied health clinics across…" → "dental practices and allied health
 * clinics": up to 12 lower-case words after a cue, ending at the last audience noun (linear scan,
 * no backtracking on long scraped text). */
export function audienceIn(sentence: string): string | null {
  for (const m of sentence.matchAll(AUDIENCE_CUE)) {
    const words = sentence.slice(m.index + m[0].length).split(/\s+/).slice(0, 12);
    let end = -1;
    for (let i = 0; i < words.length; i++) {
      if (!/^[a-z][a-z-]*[,]?$/.test(words[i]) && !AUDIENCE_NOUN.test(words[i])) break;
      if (AUDIENCE_NOUN.test(words[i])) end = i;
    }
    if (end >= 0) return words.slice(0, end + 1).join(' ').replace(/[,.;:]$/, '');
  }
  return null;
}
const FIGURE = /(\d[\d,.]*\s?(%|x\b|\+|-star|star)|\b\d+\s+(years|practices|clients|businesses|reviews)\b|\b(19|20)\d{2}\b)/i;
const CLAIM = /\b(no lock-?in|only work with|specialis|guarantee|transparent|dedicated|month-to-month|award-winning|certified)\w*/i;

export function scoreValueSentence(s: string, onHome: boolean): number {
  const words = s.split(/\s+/).length;
  let score = 0;
  if (HELP.test(s)) score += 3;
  if (OUTCOME.test(s)) score += 2;
  if (audienceIn(s)) score += 2;
  if (/\d/.test(s)) score += 1;
  if (onHome) score += 2;
  if (words < 8) score -= 2;
  if (words > 40) score -= 2;
  return score;
}

export const valuePropExtractor = defineSkill({
  slug: 'value-prop-extractor',
  name: 'Value-proposition extractor',
  description:
    "Use after services are known to state the business's value proposition in one sentence, its tagline, who it is for, what sets it apart and the proof it offers (figures, track record).",
  tier: 'fast',
  input: ValuePropInput,
  output: ValuePropOutput,
  systemPrompt:
    "You find a business's value proposition on its website: one sentence saying who it helps, with what, and the outcome. " +
    'Keep the site\'s wording where it is good. tagline is the main headline. targetAudience names the customers (e.g. "dental practices and allied health clinics"). ' +
    'differentiators are concrete claims that set it apart; proofPoints are verifiable figures and track record quoted from the site. Do not invent figures.',
  buildPrompt: (input) => `Business: ${input.companyName}\nServices: ${input.services.join(', ') || 'unknown'}\n\n${pagesForPrompt(input.pages, 30_000)}`,
  offline(input) {
    const home = input.pages.find((p) => p.kind === 'home') ?? input.pages[0];
    const candidates: Array<{ s: string; score: number }> = [];
    for (const page of input.pages) {
      const onHome = page === home;
      const meta = metaDescription(page.text);
      for (const s of unique([...(meta ? [meta] : []), ...proseLines(page.text).flatMap((l) => sentences(l))])) {
        candidates.push({ s, score: scoreValueSentence(s, onHome) + (s === meta && onHome ? 1 : 0) });
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    const best = candidates[0]?.s ?? `${input.companyName} provides ${input.services.slice(0, 3).join(', ') || 'its services'}.`;
    const audience = candidates.map((c) => audienceIn(c.s)).find((a) => a !== null) ?? null;

    const differentiators: string[] = [];
    for (const page of input.pages) {
      for (const sec of sections(page.text)) {
        const why = /why|different|approach|promise|choose/i.test(sec.heading);
        for (const line of sec.lines) {
          const text = line.replace(/^- /, '');
          if (text.startsWith('[image:')) continue;
          if ((why && line.startsWith('- ')) || (CLAIM.test(text) && text.split(' ').length <= 25)) differentiators.push(text);
        }
      }
    }
    const proofPoints = input.pages
      .flatMap((p) => proseLines(p.text).flatMap((l) => (l.length > 120 ? sentences(l) : [l])))
      .filter((l) => FIGURE.test(l) && l.split(' ').length <= 25 && !/@|\(0\d\)|\bLevel \d/.test(l));

    return {
      valueProposition: truncate(best, 400),
      tagline: headings(home.text, 1)[0]?.text ?? null,
      targetAudience: audience ? truncate(audience, 200) : null,
      differentiators: unique(differentiators.map((d) => truncate(d, 200))).slice(0, 6),
      proofPoints: unique(proofPoints.map((d) => truncate(d, 200))).slice(0, 6),
    };
  },
});

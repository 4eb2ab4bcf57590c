// company-size-estimator: how big the business itself is (which bounds the clients it can serve).
// Offline, in order of trust: an explicit statement ("a team of 18", "over 40 staff", "25-person
// team"); else the number of people shown on team/about pages (headings that look like personal
// names followed by a role line), scaled up because team pages show only some staff; else nothing
// (range "1-10", low confidence). Also: founding year ("founded in 2014", "since 2014") and office
// count ("offices in Sydney and Melbourne").
import { z } from 'zod';
import { defineSkill, pagesForPrompt } from '../skill';
import { parseCount, placesIn, sections } from '../text';
import { PageWithKind } from './service-extractor';

export const SIZE_RANGES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1000+'] as const;
export type SizeRange = (typeof SIZE_RANGES)[number];

export const CompanySizeInput = z.object({
  companyName: z.string(),
  pages: z.array(PageWithKind).min(1),
});

export const CompanySizeOutput = z.object({
  employeeEstimate: z.number().int().positive().nullable(),
  range: z.enum(SIZE_RANGES),
  confidence: z.number().min(0).max(1),
  foundedYear: z.number().int().min(1800).max(2100).nullable(),
  offices: z.number().int().min(0).max(500).nullable(),
  signals: z.array(z.string().max(200)).max(8),
});
export type CompanySizeOutput = z.infer<typeof CompanySizeOutput>;

export function rangeFor(n: number): SizeRange {
  if (n <= 10) return '1-10';
  if (n <= 50) return '11-50';
  if (n <= 200) return '51-200';
  if (n <= 500) return '201-500';
  if (n <= 1000) return '501-1000';
  return '1000+';
}

const NUM = '(\\d{1,5}(?:,\\d{3})?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)';
const STATEMENTS: RegExp[] = [
  new RegExp(`\\bteam of (?:over |more than |about |around )?${NUM}\\+?`, 'i'),
  new RegExp(`\\b${NUM}\\+?[- ](?:person|people|strong)\\b`, 'i'),
  new RegExp(`\\b(?:over|more than|about|around|nearly)?\\s*${NUM}\\+?\\s+(?:staff|employees|team members|people on our team|full-time|specialists|experts|marketers|professionals|consultants)\\b`, 'i'),
  new RegExp(`\\bemploy(?:s|ing)? (?:over |more than |about |around )?${NUM}\\b`, 'i'),
];
const FOUNDED = /\b(?:founded|established|started|est\.?|since|launched)\b(?:\s+\w+){0,3}?\s+(?:in\s+)?((?:18|19|20)\d{2})\b/i;
const PERSON = /^(?:Dr\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}$/;
const ROLE = /\b(founder|director|manager|head|lead|specialist|strategist|designer|developer|analyst|consultant|coordinator|executive|officer|ceo|cto|cmo|partner|writer|editor|marketer|engineer)\b/i;

export const companySizeEstimator = defineSkill({
  slug: 'company-size-estimator',
  name: 'Company-size estimator',
  description:
    "Use after the website parser to estimate the business's own headcount (and range), founding year and number of offices from its about, team and careers pages.",
  tier: 'fast',
  input: CompanySizeInput,
  output: CompanySizeOutput,
  systemPrompt:
    'You estimate how many people work at a business from its website: explicit statements ("a team of 18") beat counting team ' +
    'profiles (team pages rarely show everyone). Give the estimate (null if there is no evidence), the employee range, a confidence, ' +
    'the founding year and office count when stated, and the evidence as short signals quoted from the site.',
  buildPrompt: (input) => `Business: ${input.companyName}\n\n${pagesForPrompt(input.pages, 30_000)}`,
  offline(input) {
    const signals: string[] = [];
    let explicit: number | null = null;
    // Portfolio and case-study pages talk about clients' staff, not the business's own.
    const all = input.pages
      .filter((p) => !['portfolio', 'case_study', 'blog'].includes(p.kind))
      .map((p) => p.text)
      .join('\n');
    for (const line of all.split('\n')) {
      for (const re of STATEMENTS) {
        const m = re.exec(line);
        const n = m ? parseCount(m[1]) : null;
        if (n && n >= 2 && n < 100_000 && !/clients|practices|customers|businesses|projects|reviews|years/i.test(m![0])) {
          if (explicit === null || n > explicit) explicit = n;
          signals.push(m![0].trim());
        }
      }
    }
    let profiles = 0;
    for (const page of input.pages.filter((p) => ['team', 'about', 'careers'].includes(p.kind))) {
      for (const s of sections(page.text)) {
        if (s.level >= 2 && PERSON.test(s.heading) && ROLE.test(s.lines[0] ?? '')) profiles++;
      }
    }
    if (profiles) signals.push(`${profiles} team profiles shown`);
    const founded = FOUNDED.exec(all);
    const foundedYear = founded ? Number(founded[1]) : null;
    if (founded) signals.push(founded[0].trim());
    const officeLine = /offices? in ([A-Z][^.]*)/.exec(all);
    const offices = officeLine ? Math.max(1, placesIn(officeLine[1]).length) : null;
    if (officeLine) signals.push(officeLine[0].trim());

    let estimate: number | null = null;
    let confidence = 0.2;
    if (explicit !== null) {
      estimate = Math.max(explicit, profiles);
      confidence = 0.85;
    } else if (profiles > 0) {
      // Team pages usually show leadership and a few staff: assume about half are shown.
      estimate = Math.max(profiles, Math.round(profiles * 2));
      confidence = 0.5;
    }
    return {
      employeeEstimate: estimate,
      range: rangeFor(estimate ?? 1),
      confidence,
      foundedYear,
      offices,
      signals: [...new Set(signals)].slice(0, 8).map((s) => s.slice(0, 200)),
    };
  },
  postProcess(output) {
    // The range always agrees with the estimate.
    return output.employeeEstimate ? { ...output, range: rangeFor(output.employeeEstimate) } : output;
  },
});

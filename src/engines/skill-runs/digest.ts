// The weekly feedback digest: per skill, the week's average ratings against the week before (the
// trend), the issues raised most often and the rule changes suggested most often, so an admin can
// decide what to change in each skill's RULES.md. One digest per period end (a retry finds it).
import type { Db, Feedback, SkillDigest } from '../../db/client';
import { splitIssues } from './feedback';

const DAY_MS = 86_400_000;
export const DIGEST_PERIOD_DAYS = 7;
const TOP = 5;

export interface Counted {
  text: string;
  count: number;
}

export interface SkillDigestEntry {
  skill: string;
  ratings: number;
  averages: { overall: number; accuracy: number | null; quality: number | null; usefulness: number | null; ruleCompliance: number | null };
  previousOverall: number | null;
  trend: 'up' | 'down' | 'flat' | 'new';
  /** Share of ratings at 1 or 2. */
  lowShare: number;
  commonIssues: Counted[];
  suggestedRuleChanges: Counted[];
  whatWorked: Counted[];
}

export interface DigestData {
  periodStart: string;
  periodEnd: string;
  totalRatings: number;
  skills: SkillDigestEntry[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function avg(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? round2(v.reduce((s, x) => s + x, 0) / v.length) : null;
}

/** Counts texts that say the same thing (case, spacing and end punctuation ignored), most frequent first. */
export function countSimilar(texts: string[], limit = TOP): Counted[] {
  const groups = new Map<string, Counted>();
  for (const t of texts) {
    const key = t
      .toLowerCase()
      .replace(/[\s]+/g, ' ')
      .replace(/[.!?;,:\s]+$/, '')
      .trim();
    if (!key) continue;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { text: t.trim(), count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text)).slice(0, limit);
}

export function summarizeSkill(skill: string, week: Feedback[], previous: Feedback[]): SkillDigestEntry {
  const overall = avg(week.map((f) => f.overall)) ?? 0;
  const previousOverall = avg(previous.map((f) => f.overall));
  const delta = previousOverall === null ? null : overall - previousOverall;
  return {
    skill,
    ratings: week.length,
    averages: {
      overall,
      accuracy: avg(week.map((f) => f.accuracy)),
      quality: avg(week.map((f) => f.quality)),
      usefulness: avg(week.map((f) => f.usefulness)),
      ruleCompliance: avg(week.map((f) => f.ruleCompliance)),
    },
    previousOverall,
    // Less than a quarter point either way is noise at these volumes.
    trend: delta === null ? 'new' : delta >= 0.25 ? 'up' : delta <= -0.25 ? 'down' : 'flat',
    lowShare: round2(week.filter((f) => f.overall <= 2).length / week.length),
    commonIssues: countSimilar(week.flatMap((f) => splitIssues(f.issues))),
    suggestedRuleChanges: countSimilar(week.flatMap((f) => (f.suggestedRuleChanges ? [f.suggestedRuleChanges] : []))),
    whatWorked: countSimilar(week.flatMap((f) => (f.whatWorked ? [f.whatWorked] : []))),
  };
}

const periodEndOf = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

/** The digest of the 7 days before `at`'s day (00:00 UTC), computed and not stored. */
export async function computeSkillDigest(db: Db, at: Date): Promise<DigestData> {
  const periodEnd = periodEndOf(at);
  const periodStart = new Date(periodEnd.getTime() - DIGEST_PERIOD_DAYS * DAY_MS);
  const previousStart = new Date(periodStart.getTime() - DIGEST_PERIOD_DAYS * DAY_MS);
  const rows = await db.feedback.findMany({ where: { createdAt: { gte: previousStart, lt: periodEnd } } });
  const week = rows.filter((f) => f.createdAt >= periodStart);
  const previous = rows.filter((f) => f.createdAt < periodStart);
  const skills = [...new Set(week.map((f) => f.skillSlug))].sort();
  return {
    periodStart: periodStart.toISOString(),
    periodEnd: periodEnd.toISOString(),
    totalRatings: week.length,
    skills: skills
      .map((s) =>
        summarizeSkill(
          s,
          week.filter((f) => f.skillSlug === s),
          previous.filter((f) => f.skillSlug === s),
        ),
      )
      // Worst first: those are the rules to look at.
      .sort((a, b) => a.averages.overall - b.averages.overall || a.skill.localeCompare(b.skill)),
  };
}

/** Stores the digest of the week before `at` once per period (a retry finds the stored one). */
export async function buildSkillDigest(db: Db, at: Date): Promise<SkillDigest> {
  const periodEnd = periodEndOf(at);
  const existing = await db.skillDigest.findFirst({ where: { periodEnd } });
  if (existing) return existing;
  const data = await computeSkillDigest(db, at);
  return db.skillDigest.create({ data: { periodStart: new Date(data.periodStart), periodEnd, data: data as object } });
}

export function digestView(d: SkillDigest) {
  return { digestId: d.id as string | null, stored: true, createdAt: d.createdAt.toISOString(), ...(d.data as unknown as DigestData) };
}

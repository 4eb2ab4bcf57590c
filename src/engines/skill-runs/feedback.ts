// Ratings of outputs (accuracy, quality, usefulness, rule compliance, overall: 1–5) with what
// worked, the issues seen and suggested rule changes. Chat ratings (one button press) update the
// rater's earlier chat rating of the same output rather than piling up.
import { z } from 'zod';
import type { Db, Feedback } from '../../db/client';

const score = z.number().int().min(1).max(5);
const note = z.string().trim().min(1).max(4000);

export const FeedbackInput = z
  .object({
    outputId: z.uuid(),
    overall: score,
    accuracy: score.optional(),
    quality: score.optional(),
    usefulness: score.optional(),
    ruleCompliance: score.optional(),
    whatWorked: note.optional(),
    issues: z.array(z.string().trim().min(1).max(500)).max(20).optional(),
    suggestedRuleChanges: note.optional(),
    source: z.enum(['api', 'telegram', 'web', 'slack']).default('api'),
  })
  .strict();
export type FeedbackInput = z.infer<typeof FeedbackInput>;

export class OutputNotFound extends Error {
  constructor(id: string) {
    super(`output ${id} not found`);
    this.name = 'OutputNotFound';
  }
}

/** Issues are stored one per line. */
export const splitIssues = (text: string | null): string[] =>
  text
    ? text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];

export async function recordFeedback(db: Db, userId: string | null, f: FeedbackInput): Promise<Feedback> {
  const output = await db.output.findFirst({ where: { id: f.outputId, deletedAt: null }, select: { clientId: true, skillSlug: true } });
  if (!output) throw new OutputNotFound(f.outputId);
  return db.feedback.create({
    data: {
      clientId: output.clientId,
      outputId: f.outputId,
      userId,
      skillSlug: output.skillSlug,
      overall: f.overall,
      accuracy: f.accuracy ?? null,
      quality: f.quality ?? null,
      usefulness: f.usefulness ?? null,
      ruleCompliance: f.ruleCompliance ?? null,
      whatWorked: f.whatWorked ?? null,
      issues: f.issues?.length ? f.issues.map((i) => i.replace(/\s*\n\s*/g, ' ')).join('\n') : null,
      suggestedRuleChanges: f.suggestedRuleChanges ?? null,
      source: f.source,
    },
  });
}

/** A one-tap chat rating: the same rater's earlier chat rating of this output is replaced. */
export async function recordChatRating(db: Db, a: { outputId: string; userId: string; rating: number; source: string }): Promise<Feedback> {
  const earlier = await db.feedback.findFirst({ where: { outputId: a.outputId, userId: a.userId, source: a.source }, orderBy: { createdAt: 'desc' } });
  const r = score.parse(a.rating);
  if (earlier) return db.feedback.update({ where: { id: earlier.id }, data: { overall: r, accuracy: r, quality: r, usefulness: r } });
  return recordFeedback(db, a.userId, {
    outputId: a.outputId,
    overall: r,
    accuracy: r,
    quality: r,
    usefulness: r,
    source: a.source as FeedbackInput['source'],
  });
}

export async function addWhatWorked(db: Db, feedbackId: string, text: string): Promise<Feedback> {
  return db.feedback.update({ where: { id: feedbackId }, data: { whatWorked: note.parse(text) } });
}

export function feedbackView(f: Feedback) {
  return {
    feedbackId: f.id,
    outputId: f.outputId,
    clientId: f.clientId,
    skill: f.skillSlug,
    userId: f.userId,
    overall: f.overall,
    accuracy: f.accuracy,
    quality: f.quality,
    usefulness: f.usefulness,
    ruleCompliance: f.ruleCompliance,
    whatWorked: f.whatWorked,
    issues: splitIssues(f.issues),
    suggestedRuleChanges: f.suggestedRuleChanges,
    source: f.source,
    createdAt: f.createdAt.toISOString(),
  };
}

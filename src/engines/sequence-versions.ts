// Sequence versions: the immutable snapshot of a campaign's plan and copy that its leads run on.
// Version 1 is written with the campaign; every edit of the sequence or the copy adds N+1 and makes it
// the campaign's current one (new enrolments start on it). A lead stays on the version its
// enrolment is pinned to, unless it is migrated, and its touches are written from that snapshot's
// copy, so a later edit never changes a touch that is already planned.
import { z } from 'zod';
import type { Db } from '../db/client';
import { type Prisma } from '../db/client';
import { DEFAULT_TEMPLATES, type TouchTemplate } from './content/templates';
import { TOUCH_KINDS, type SequenceDefinition, type TouchKind } from './sequence-plan';

export const TouchCopySchema = z.strictObject({
  subject: z.string().trim().min(1).max(300).optional(),
  /** Merge fields as in the templates: `{{firstName}}`, `{{firstName|there}}`. */
  body: z.string().trim().min(1).max(5000),
});

/** Copy per touch: touch number → (the touch's kind, or its fallback's) → copy. */
export const SequenceCopySchema = z.record(z.string().regex(/^[1-9][0-9]{0,2}$/, 'a touch number'), z.partialRecord(z.enum(TOUCH_KINDS), TouchCopySchema));
export type SequenceCopy = Record<string, Partial<Record<TouchKind, TouchTemplate>>>;

/** The kinds a touch can be sent as: its own and its fallback's. */
function kindsOf(t: SequenceDefinition['touches'][number]): TouchKind[] {
  return t.fallback ? [t.kind, t.fallback.kind] : [t.kind];
}

/**
 * Copy entries that name a touch the sequence does not have, or a kind that touch cannot be sent
 * as: zod issues under `copy`, for a 400.
 */
export function copyIssues(sequence: SequenceDefinition, copy: SequenceCopy): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  for (const [n, byKind] of Object.entries(copy)) {
    const touch = sequence.touches.find((t) => String(t.number) === n);
    if (!touch) {
      issues.push({ code: 'custom', message: `the sequence has no touch ${n}`, path: ['copy', n], input: byKind });
      continue;
    }
    for (const kind of Object.keys(byKind)) {
      if (!kindsOf(touch).includes(kind as TouchKind))
        issues.push({ code: 'custom', message: `touch ${n} is sent as ${kindsOf(touch).join(' or ')}, not ${kind}`, path: ['copy', n, kind], input: kind });
    }
  }
  return issues;
}

type CopySource = (touch: number, kind: TouchKind) => TouchTemplate | undefined;

/**
 * Copy for every touch of `sequence` and every kind it can be sent as, from the first source that
 * has it, else the default copy: a snapshot that does not depend on code or rows changing later.
 */
export function completeCopy(sequence: SequenceDefinition, ...sources: CopySource[]): SequenceCopy {
  const out: SequenceCopy = {};
  for (const t of sequence.touches) {
    const byKind: Partial<Record<TouchKind, TouchTemplate>> = {};
    for (const kind of kindsOf(t)) {
      const found = sources.map((s) => s(t.number, kind)).find((c) => c !== undefined);
      byKind[kind] = { ...(found ?? DEFAULT_TEMPLATES[kind] ?? DEFAULT_TEMPLATES.email_intro) };
    }
    out[String(t.number)] = byKind;
  }
  return out;
}

/** A source reading a copy object (a version's, or an edit's). */
export const fromCopy =
  (copy: SequenceCopy | null | undefined): CopySource =>
  (n, kind) =>
    copy?.[String(n)]?.[kind];

/** A source reading a campaign template's generated copy (per kind, whatever the touch). */
export function fromTemplateMessaging(messaging: unknown): CopySource {
  const templates = (messaging as { templates?: Record<string, TouchTemplate> } | null)?.templates;
  return (_n, kind) => {
    const t = templates?.[kind];
    return t && typeof t.body === 'string' ? { ...(typeof t.subject === 'string' ? { subject: t.subject } : {}), body: t.body } : undefined;
  };
}

export interface VersionRow {
  campaignId: string;
  clientId: string;
  version: number;
  sequence: SequenceDefinition;
  copy: SequenceCopy;
  createdBy?: string | null;
}

export async function insertVersion(db: Pick<Db, 'campaignSequenceVersion'>, v: VersionRow) {
  return db.campaignSequenceVersion.create({
    data: {
      campaignId: v.campaignId,
      clientId: v.clientId,
      version: v.version,
      sequence: v.sequence as unknown as Prisma.InputJsonValue,
      copy: v.copy as unknown as Prisma.InputJsonValue,
      createdBy: v.createdBy ?? null,
    },
  });
}

/**
 * The copy a touch is written from: its pinned version's snapshot (undefined: the snapshot has none
 * for that kind, so the default copy). Null when the campaign has no such version row (rows written
 * around createCampaign, as some fixtures are): the caller falls back to the live template and the
 * defaults, as sends did before versions.
 */
export async function pinnedTouchCopy(
  db: Pick<Db, 'campaignSequenceVersion'>,
  a: { campaignId: string; version: number; touch: number; kind: string },
): Promise<TouchTemplate | undefined | null> {
  const row = await db.campaignSequenceVersion.findUnique({
    where: { campaignId_version: { campaignId: a.campaignId, version: a.version } },
    select: { copy: true },
  });
  if (!row) return null;
  const t = (row.copy as SequenceCopy)[String(a.touch)]?.[a.kind as TouchKind];
  return t && typeof t.body === 'string' ? t : undefined;
}

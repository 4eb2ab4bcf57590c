// Campaign records: creation with a validated sequence definition, adding leads (enrolments),
// edits that bump the sequence version (running leads stay pinned to the version they started).
// An invalid stored sequence fails as 'InvalidSequence' (listed in workflows/definitions/retry.ts).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import type { Db, PermissionMode } from '../db/client';
import { type Prisma } from '../db/client';
import { assertRoomForActiveCampaign, assertSequenceInPlan } from './plans';
import { GROWTH_ENGINE, SequenceDefinitionSchema, adjustForIndustry, type SequenceDefinition } from './sequence-plan';
import { completeCopy, copyIssues, fromCopy, fromTemplateMessaging, insertVersion, type SequenceCopy } from './sequence-versions';

export function parseSequence(json: unknown): SequenceDefinition {
  const parsed = SequenceDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`campaign sequence is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidSequence');
  }
  return parsed.data;
}

export interface NewCampaign {
  clientId: string;
  name: string;
  sequence?: SequenceDefinition;
  permissionMode?: PermissionMode;
  industry?: string | null;
  aiPersonalisation?: boolean;
  templateId?: string | null;
}

export async function createCampaign(db: Db, c: NewCampaign) {
  const client = await db.client.findUniqueOrThrow({ where: { id: c.clientId } });
  const sequence = c.sequence ?? (c.industry ? adjustForIndustry(GROWTH_ENGINE, c.industry) : GROWTH_ENGINE);
  // Every touch must be sendable under the client's plan (its channel or its fallback's).
  assertSequenceInPlan(client.tier, sequence.touches);
  // Version 1's copy: the launched template's generated copy, else the defaults.
  const template = c.templateId ? await db.campaignTemplate.findUnique({ where: { id: c.templateId }, select: { messaging: true } }) : null;
  const copy = completeCopy(sequence, fromTemplateMessaging(template?.messaging));
  return db.campaign.create({
    data: {
      clientId: c.clientId,
      name: c.name,
      sequence: sequence as unknown as Prisma.InputJsonValue,
      permissionMode: c.permissionMode ?? client.permissionMode,
      industry: c.industry ?? null,
      aiPersonalisation: c.aiPersonalisation ?? false,
      templateId: c.templateId ?? null,
      // With the campaign, in one statement: no campaign is ever without its version 1.
      versions: {
        create: { clientId: c.clientId, version: 1, sequence: sequence as unknown as Prisma.InputJsonValue, copy: copy as unknown as Prisma.InputJsonValue },
      },
    },
  });
}

export interface CampaignEdit {
  name?: string;
  permissionMode?: PermissionMode;
  sequence?: SequenceDefinition;
  /** Copy per touch (touch number → kind → {subject?, body}); touches and kinds not named keep theirs. */
  copy?: SequenceCopy;
}

/** A completed or cancelled campaign is not edited (the API answers 409). */
export class CampaignClosedError extends Error {
  constructor(readonly status: string) {
    super(`a ${status} campaign cannot be edited`);
    this.name = 'CampaignClosedError';
  }
}

/**
 * Edits a campaign. A new sequence or copy adds version N+1 (the previous version's copy for every
 * touch and kind the edit does not name, the template's or the default copy for new ones) and makes
 * it current; a name or permission mode alone, or an edit that changes nothing, adds none. The
 * campaign row is locked, so concurrent edits get consecutive versions. Null when the campaign is
 * not the client's (or deleted); a ZodError (400) for copy that does not fit the sequence.
 */
export async function editCampaign(db: Db, a: { clientId: string; campaignId: string; actorId: string | null; edit: CampaignEdit }) {
  const { edit } = a;
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM campaigns WHERE id = ${a.campaignId} AND "clientId" = ${a.clientId} AND "deletedAt" IS NULL FOR UPDATE`;
    if (locked.length === 0) return null;
    const before = await tx.campaign.findUniqueOrThrow({ where: { id: a.campaignId } });
    if (before.status === 'completed' || before.status === 'cancelled') throw new CampaignClosedError(before.status);
    let version: Awaited<ReturnType<typeof insertVersion>> | undefined;
    if (edit.sequence || edit.copy) {
      const current = await tx.campaignSequenceVersion.findUnique({
        where: { campaignId_version: { campaignId: a.campaignId, version: before.sequenceVersion } },
      });
      const sequence = edit.sequence ?? parseSequence(current?.sequence ?? before.sequence);
      const issues = edit.copy ? copyIssues(sequence, edit.copy) : [];
      if (issues.length > 0) throw new ZodError(issues);
      if (edit.sequence) {
        const client = await tx.client.findUniqueOrThrow({ where: { id: a.clientId }, select: { tier: true } });
        assertSequenceInPlan(client.tier, sequence.touches);
      }
      const template = before.templateId ? await tx.campaignTemplate.findUnique({ where: { id: before.templateId }, select: { messaging: true } }) : null;
      const copy = completeCopy(sequence, fromCopy(edit.copy), fromCopy(current?.copy as SequenceCopy | undefined), fromTemplateMessaging(template?.messaging));
      const unchanged = current && isDeepStrictEqual(current.sequence, sequence) && isDeepStrictEqual(current.copy, copy);
      if (!unchanged) {
        version = await insertVersion(tx, {
          campaignId: a.campaignId,
          clientId: a.clientId,
          version: before.sequenceVersion + 1,
          sequence,
          copy,
          createdBy: a.actorId,
        });
      }
    }
    const after = await tx.campaign.update({
      where: { id: a.campaignId },
      data: {
        ...(edit.name !== undefined ? { name: edit.name } : {}),
        ...(edit.permissionMode !== undefined ? { permissionMode: edit.permissionMode } : {}),
        ...(version ? { sequence: version.sequence as Prisma.InputJsonValue, sequenceVersion: version.version } : {}),
      },
    });
    return { before, after, version };
  });
}

/** The plan of a campaign's version: its snapshot, or the campaign's sequence when it has none (rows from before versions). */
export async function sequenceOfVersion(
  db: Pick<Db, 'campaignSequenceVersion'>,
  campaign: { id: string; sequence: unknown },
  version: number,
): Promise<SequenceDefinition> {
  const row = await db.campaignSequenceVersion.findUnique({
    where: { campaignId_version: { campaignId: campaign.id, version } },
    select: { sequence: true },
  });
  return parseSequence(row?.sequence ?? campaign.sequence);
}

/** A campaign's versions, oldest first, each with how many of its leads are on it by enrolment status. */
export async function listVersions(db: Db, campaignId: string) {
  const [rows, counts] = await Promise.all([
    db.campaignSequenceVersion.findMany({ where: { campaignId }, orderBy: { version: 'asc' } }),
    db.campaignEnrollment.groupBy({ by: ['sequenceVersion', 'status'], where: { campaignId }, _count: { _all: true } }),
  ]);
  return rows.map((v) => {
    const on = counts.filter((c) => c.sequenceVersion === v.version);
    const n = (...statuses: string[]) => on.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + c._count._all, 0);
    return {
      ...v,
      leads: {
        total: n('pending', 'active', 'paused', 'completed', 'stopped'),
        pending: n('pending'),
        running: n('active', 'paused'),
        ended: n('completed', 'stopped'),
      },
    };
  });
}

export interface AddLeadsResult {
  added: number;
  alreadyEnrolled: number;
  notFound: string[];
}

/** Pending enrolments for the given leads of the campaign's client; repeated calls add nothing. */
export async function addLeadsToCampaign(db: Db, a: { clientId: string; campaignId: string; leadIds: string[] }): Promise<AddLeadsResult> {
  const campaign = await db.campaign.findFirstOrThrow({ where: { id: a.campaignId, clientId: a.clientId, deletedAt: null } });
  const ids = [...new Set(a.leadIds)];
  const leads = await db.lead.findMany({ where: { id: { in: ids }, clientId: a.clientId, deletedAt: null }, select: { id: true } });
  const found = new Set(leads.map((l) => l.id));
  const created = await db.campaignEnrollment.createMany({
    data: leads.map((l) => ({ clientId: a.clientId, campaignId: a.campaignId, leadId: l.id, sequenceVersion: campaign.sequenceVersion })),
    skipDuplicates: true,
  });
  return { added: created.count, alreadyEnrolled: leads.length - created.count, notFound: ids.filter((id) => !found.has(id)) };
}

/**
 * Before a campaign becomes active (start, resume): its sequence must still fit the client's plan
 * (the plan may have changed since it was created) and the plan must have room for one more active
 * campaign. Throws PlanLimitError (the API answers 409).
 */
export async function assertCampaignMayActivate(db: Db, c: { clientId: string; id: string; sequence: unknown }): Promise<void> {
  const client = await db.client.findUniqueOrThrow({ where: { id: c.clientId }, select: { tier: true } });
  assertSequenceInPlan(client.tier, parseSequence(c.sequence).touches);
  const active = await db.campaign.count({ where: { clientId: c.clientId, status: 'active', deletedAt: null, id: { not: c.id } } });
  assertRoomForActiveCampaign(client.tier, active);
}

/**
 * Runs `activate` (the check above, then the transition) while holding the client's activation lock,
 * so two campaigns started at once cannot both pass the active-campaign count before either is
 * active. A transaction-scoped advisory lock: released when `activate` returns or throws. The
 * transition itself writes through other connections (the workflow's activity); only the lock's
 * connection is held meanwhile.
 */
export async function withActivationLock<T>(db: Db, clientId: string, activate: () => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`campaign-activation:${clientId}`}, 0))::text`;
      return activate();
    },
    // The transition waits for the campaign workflow's status write: allow it a busy minute.
    { maxWait: 30_000, timeout: 60_000 },
  );
}

/**
 * Ends a lead's enrolment (completed, or stopped with its reason) and, only when this call ended it,
 * emits `sequence.completed` with the lead's next event number, as emitEvent writes it: one statement,
 * so a retried activity ends nothing and emits nothing, and the lead's row is locked for that
 * statement only (replies to the lead take the same lock). True when this call ended it.
 */
export async function endEnrollment(
  db: Pick<Db, '$queryRaw'>,
  a: { clientId: string; campaignId: string; leadId: string; outcome: 'completed' | 'stopped'; reason: string | null; now?: Date },
): Promise<boolean> {
  // `::timestamp` drops the Z: columns hold UTC wall time, as Prisma writes them.
  const now = (a.now ?? new Date()).toISOString();
  const data = JSON.stringify({ campaignId: a.campaignId, outcome: a.outcome, reason: a.reason });
  const rows = await db.$queryRaw<{ ended: number }[]>`
    WITH ended AS (
      UPDATE campaign_enrollments SET status = ${a.outcome}::text::"EnrollmentStatus", "stopReason" = ${a.reason}::text, "endedAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp
      WHERE "campaignId" = ${a.campaignId} AND "leadId" = ${a.leadId} AND status IN ('pending', 'active', 'paused')
      RETURNING id
    ), seq AS (
      UPDATE leads SET "eventSeq" = "eventSeq" + 1 WHERE id = ${a.leadId} AND EXISTS (SELECT 1 FROM ended) RETURNING "eventSeq"
    ), event AS (
      INSERT INTO outbound_events (id, "clientId", type, "leadId", "leadSeq", data, "createdAt")
      SELECT ${randomUUID()}, ${a.clientId}, 'sequence.completed', ${a.leadId}, seq."eventSeq", ${data}::jsonb, ${now}::timestamp FROM seq
      RETURNING id
    )
    SELECT (SELECT count(*) FROM ended)::int AS ended, (SELECT count(*) FROM event)::int AS events`;
  return rows[0].ended > 0;
}

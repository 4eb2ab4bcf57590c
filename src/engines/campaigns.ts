// Campaign records: creation with a validated sequence definition, adding leads (enrolments),
// edits that bump the sequence version (running leads stay pinned to the version they started).
// An invalid stored sequence fails as 'InvalidSequence' (listed in workflows/definitions/retry.ts).
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Db, PermissionMode } from '../db/client';
import { type Prisma } from '../db/client';
import { assertRoomForActiveCampaign, assertSequenceInPlan } from './plans';
import { GROWTH_ENGINE, SequenceDefinitionSchema, adjustForIndustry, type SequenceDefinition } from './sequence-plan';

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
  return db.campaign.create({
    data: {
      clientId: c.clientId,
      name: c.name,
      sequence: sequence as unknown as Prisma.InputJsonValue,
      permissionMode: c.permissionMode ?? client.permissionMode,
      industry: c.industry ?? null,
      aiPersonalisation: c.aiPersonalisation ?? false,
      templateId: c.templateId ?? null,
    },
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

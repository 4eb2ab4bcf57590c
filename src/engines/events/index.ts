// Outbound events: what a client's own systems (CRM, Slack, dashboards) are told through their webhook
// endpoints. An event is written by `emitEvent` inside the transaction of the change it describes,
// so it exists exactly when the change does; delivering it is a separate, durable step (one
// `webhookDeliveryWorkflow` per endpoint and event). Events about a lead carry `leadSeq`, the lead's
// own 1, 2, 3… counter, so a receiver can put one lead's events in order whatever order they arrive in.
import type { Prisma } from '../../db/client';

export const EVENT_TYPES = [
  'reply.received',
  'reply.needs_review',
  'lead.unsubscribed',
  'lead.bounced',
  'meeting.proposed',
  'meeting.booked',
  'meeting.rescheduled',
  'meeting.cancelled',
  'meeting.no_show',
  'sequence.completed',
  'campaign.status_changed',
  'run.completed',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  clientId: string;
  type: EventType;
  leadId?: string | null;
  /** The event's body as receivers see it under `data` (ids and small facts; no secrets). */
  data: Record<string, unknown>;
}

export interface EmittedEvent {
  id: string;
  clientId: string;
  type: EventType;
  leadId: string | null;
  leadSeq: number | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

type Tx = Pick<Prisma.TransactionClient, 'lead' | 'outboundEvent'>;

/**
 * Records an event in the caller's transaction. A lead's counter is taken with an atomic increment
 * (its row lock orders concurrent emitters), so a lead's events are numbered without gaps or repeats.
 */
export async function emitEvent(tx: Tx, e: NewEvent): Promise<EmittedEvent> {
  let leadSeq: number | null = null;
  if (e.leadId) {
    const lead = await tx.lead.update({ where: { id: e.leadId }, data: { eventSeq: { increment: 1 } }, select: { eventSeq: true } });
    leadSeq = lead.eventSeq;
  }
  const row = await tx.outboundEvent.create({
    data: { clientId: e.clientId, type: e.type, leadId: e.leadId ?? null, leadSeq, data: e.data as Prisma.InputJsonValue },
  });
  return { id: row.id, clientId: row.clientId, type: e.type, leadId: row.leadId, leadSeq: row.leadSeq, data: e.data, createdAt: row.createdAt };
}

// From events to deliveries: every event not yet dispatched gets a delivery row for each enabled
// endpoint of its client that subscribes to its type, and a delivery is started for each (the
// caller's `start`, a workflow start whose repeat is a no-op). Only then is the event marked
// dispatched, so an event written while Temporal is down waits in the table for the next pass.
import type { Db } from '../../db/client';

export interface DeliveryStart {
  deliveryId: string;
  clientId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  workflowId: string;
  series: number;
}

export interface DispatchOptions {
  /** `delivery:<endpointId>:<eventId>` (workflows/ids.ts), passed in because engines sit below workflows. */
  workflowId: (endpointId: string, eventId: string) => string;
  start: (d: DeliveryStart) => Promise<void>;
  batchSize?: number;
  /** Starts in flight at once. */
  concurrency?: number;
  /** Stop after this many events (one pass of a sweep); default: until none are left. */
  maxEvents?: number;
}

export interface DispatchResult {
  events: number;
  deliveries: number;
}

export function subscribes(eventTypes: string[], type: string): boolean {
  return eventTypes.length === 0 || eventTypes.includes(type);
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return errors;
}

export async function dispatchPendingEvents(db: Db, opts: DispatchOptions): Promise<DispatchResult> {
  const batchSize = opts.batchSize ?? 200;
  const total: DispatchResult = { events: 0, deliveries: 0 };
  for (;;) {
    if (opts.maxEvents !== undefined && total.events >= opts.maxEvents) return total;
    const events = await db.outboundEvent.findMany({
      where: { dispatchedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: batchSize,
      select: { id: true, clientId: true, type: true },
    });
    if (events.length === 0) return total;
    const clientIds = [...new Set(events.map((e) => e.clientId))];
    const endpoints = await db.webhookEndpoint.findMany({
      where: { clientId: { in: clientIds }, enabled: true, deletedAt: null },
      select: { id: true, clientId: true, eventTypes: true },
    });
    const pairs = events.flatMap((e) =>
      endpoints
        .filter((ep) => ep.clientId === e.clientId && subscribes(ep.eventTypes, e.type))
        .map((ep) => ({ clientId: e.clientId, endpointId: ep.id, eventId: e.id, eventType: e.type, workflowId: opts.workflowId(ep.id, e.id) })),
    );
    if (pairs.length) await db.webhookDelivery.createMany({ data: pairs, skipDuplicates: true });
    const rows = pairs.length
      ? await db.webhookDelivery.findMany({
          where: { endpointId: { in: [...new Set(pairs.map((p) => p.endpointId))] }, eventId: { in: events.map((e) => e.id) } },
          select: { id: true, endpointId: true, eventId: true },
        })
      : [];
    const idOf = new Map(rows.map((r) => [`${r.endpointId}:${r.eventId}`, r.id]));
    const failed = new Set<string>();
    const errors = await inParallel(pairs, opts.concurrency ?? 16, async (p) => {
      try {
        await opts.start({ ...p, deliveryId: idOf.get(`${p.endpointId}:${p.eventId}`)!, series: 0 });
      } catch (err) {
        failed.add(p.eventId);
        throw err;
      }
    });
    const dispatched = events.filter((e) => !failed.has(e.id)).map((e) => e.id);
    if (dispatched.length) await db.outboundEvent.updateMany({ where: { id: { in: dispatched } }, data: { dispatchedAt: new Date() } });
    total.events += dispatched.length;
    total.deliveries += pairs.length - errors.length;
    // Temporal unreachable (or similar): the rest waits for the next pass rather than spinning here.
    if (errors.length) throw errors[0];
    if (events.length < batchSize) return total;
  }
}

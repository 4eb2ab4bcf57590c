// The webhook inbox (`webhook_events`): a verified webhook is written here before it is answered, and
// each row is processed until it is processed, ignored or out of attempts. The unique
// (provider, dedupeKey) index turns a provider's redeliveries into no-ops. Writing a new row also
// notifies INBOX_CHANNEL (at commit), which wakes the worker's processing (src/lifecycle/inbox-processing.ts).
import { randomUUID } from 'node:crypto';
import type { Db, InboxStatus, Prisma, WebhookEvent } from '../../db/client';
import { prismaQuery, type SqlQuery } from '../../db/sql';

/** Attempts after which a row is no longer retried (unmatched rows become `ignored`). */
export const MAX_INBOX_ATTEMPTS = 10;
const MAX_ERROR_CHARS = 500;

export interface NewInboxEvent {
  provider: string;
  dedupeKey: string;
  eventType: string;
  payload: unknown;
  clientId?: string | null;
  leadId?: string | null;
  /** The accepting request's W3C `traceparent` (tracing on): processing continues its trace. Not stored. */
  trace?: string;
  /** Rows with the same key are processed one at a time, in order (a Telegram sender). Not stored. */
  orderKey?: string;
}

/** The NOTIFY channel of new inbox rows. */
export const INBOX_CHANNEL = 'inbox_events';

/** What a notification on INBOX_CHANNEL says about the row just written. */
export interface InboxNotification {
  id: string;
  provider: string;
  eventType: string;
  trace?: string;
  orderKey?: string;
}

/** A notification's payload; null for one that is not ours (never thrown: a listener must go on). */
export function parseInboxNotification(payload: string): InboxNotification | null {
  try {
    const n = JSON.parse(payload) as Partial<Record<keyof InboxNotification, unknown>>;
    if (typeof n.id !== 'string' || typeof n.provider !== 'string' || typeof n.eventType !== 'string') return null;
    return {
      id: n.id,
      provider: n.provider,
      eventType: n.eventType,
      ...(typeof n.trace === 'string' ? { trace: n.trace } : {}),
      ...(typeof n.orderKey === 'string' ? { orderKey: n.orderKey } : {}),
    };
  } catch {
    // Not JSON (SyntaxError): somebody else's NOTIFY on our channel; the read-back finds our rows.
    return null;
  }
}

export interface RecordedInboxEvent {
  id: string;
  /** True when the provider already delivered this event: nothing new was written. */
  duplicate: boolean;
  status: InboxStatus;
  receivedAt: Date;
}

const NUL = '\u0000';
const noNul = (s: string) => s.replaceAll(NUL, '\uFFFD');

/** The payload as JSON for a jsonb column, which cannot hold U+0000 in a value or a key (it becomes U+FFFD). */
function payloadJson(payload: unknown): string {
  const json = JSON.stringify(payload ?? null);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(payload, (_k, v: unknown) => {
    if (typeof v === 'string') return noNul(v);
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => k.includes(NUL))) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [noNul(k), x as unknown]));
    }
    return v;
  });
}

/** Whether an event's identifying fields can be stored (text columns cannot hold U+0000). */
export function storableIdentifiers(e: Pick<NewInboxEvent, 'provider' | 'dedupeKey' | 'eventType'>): boolean {
  return !e.provider.includes(NUL) && !e.dedupeKey.includes(NUL) && !e.eventType.includes(NUL);
}

/** A client that runs the inbox's statements: the Db (Prisma), or a plain pg query (src/db/sql.ts). */
export type InboxSql = SqlQuery | Pick<Db, '$queryRawUnsafe'>;

const runnerOf = (sql: InboxSql): SqlQuery => (typeof sql === 'function' ? sql : prismaQuery(sql));

// Each new row (not a redelivery) is announced in the same statement, so at its commit: a listener
// never hears of a row it cannot read yet, nor of one that was rolled back. The whole batch is one
// jsonb parameter (each payload spliced in as the JSON payloadJson made): cheaper to send and bind
// than one array parameter per column. receivedAt is UTC (as Prisma reads it): made a timestamptz
// so any client parses it as the same instant.
const INSERT_SQL = `
  WITH r AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS r(id text, provider text, "dedupeKey" text, "eventType" text, "clientId" text, "leadId" text, payload jsonb, trace text, "orderKey" text)
  ), ins AS (
    INSERT INTO webhook_events (id, provider, "dedupeKey", "eventType", payload, "clientId", "leadId")
    SELECT r.id, r.provider, r."dedupeKey", r."eventType", coalesce(r.payload, 'null'::jsonb), r."clientId", r."leadId" FROM r
    ON CONFLICT (provider, "dedupeKey") DO NOTHING
    RETURNING id, "receivedAt"
  )
  SELECT ins.id, ins."receivedAt" AT TIME ZONE 'UTC' AS "receivedAt" FROM ins JOIN r ON r.id = ins.id
  CROSS JOIN LATERAL (
    SELECT pg_notify($2, json_strip_nulls(json_build_object('id', r.id, 'provider', r.provider, 'eventType', r."eventType", 'trace', r.trace, 'orderKey', r."orderKey"))::text)
  ) AS announced`;

const EXISTING_SQL = `
  SELECT w.id, w.provider, w."dedupeKey", w.status::text AS status, w."receivedAt" AT TIME ZONE 'UTC' AS "receivedAt" FROM webhook_events w
  JOIN unnest($1::text[], $2::text[]) AS k(provider, "dedupeKey")
    ON w.provider = k.provider AND w."dedupeKey" = k."dedupeKey"`;

/**
 * INSERT … ON CONFLICT DO NOTHING for several events in one statement: the first delivery of each
 * event writes its row, redeliveries (earlier, or in the same batch) find it. Results are in order.
 */
export async function recordInboxEvents(sql: InboxSql, events: NewInboxEvent[]): Promise<RecordedInboxEvent[]> {
  if (events.length === 0) return [];
  const query = runnerOf(sql);
  const ids = events.map(() => randomUUID());
  const rows = events.map(
    (e, i) =>
      `{"id":${JSON.stringify(ids[i])},"provider":${JSON.stringify(e.provider)},"dedupeKey":${JSON.stringify(e.dedupeKey)},"eventType":${JSON.stringify(e.eventType)},` +
      `"clientId":${JSON.stringify(e.clientId ?? null)},"leadId":${JSON.stringify(e.leadId ?? null)},"payload":${payloadJson(e.payload)},` +
      `"trace":${JSON.stringify(e.trace ?? null)},"orderKey":${JSON.stringify(e.orderKey ?? null)}}`,
  );
  const inserted = await query<{ id: string; receivedAt: Date }>(INSERT_SQL, [`[${rows.join(',')}]`, INBOX_CHANNEL]);
  const written = new Map(inserted.map((r) => [r.id, r.receivedAt]));
  const key = (provider: string, dedupeKey: string) => `${provider}\u0000${dedupeKey}`;
  const missing = events.filter((_e, i) => !written.has(ids[i]));
  const existing = new Map<string, { id: string; status: InboxStatus; receivedAt: Date }>();
  if (missing.length > 0) {
    const found = await query<{ id: string; provider: string; dedupeKey: string; status: InboxStatus; receivedAt: Date }>(EXISTING_SQL, [
      missing.map((e) => e.provider),
      missing.map((e) => e.dedupeKey),
    ]);
    for (const r of found) existing.set(key(r.provider, r.dedupeKey), r);
  }
  return events.map((e, i) => {
    const receivedAt = written.get(ids[i]);
    if (receivedAt) return { id: ids[i], duplicate: false, status: 'pending', receivedAt };
    const row = existing.get(key(e.provider, e.dedupeKey));
    if (!row) throw new Error(`inbox row ${e.provider}/${e.dedupeKey} vanished between insert and read`);
    return { id: row.id, duplicate: true, status: row.status, receivedAt: row.receivedAt };
  });
}

/** One event: see recordInboxEvents. */
export async function recordInboxEvent(db: InboxSql, e: NewInboxEvent): Promise<RecordedInboxEvent> {
  const [row] = await recordInboxEvents(db, [e]);
  return row;
}

/** Dedupe keys already in the inbox (for the recovery sweep, so it only fetches what is missing). */
export async function knownDedupeKeys(db: Pick<Db, 'webhookEvent'>, provider: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.webhookEvent.findMany({ where: { provider, dedupeKey: { in: keys } }, select: { dedupeKey: true } });
  return new Set(rows.map((r) => r.dedupeKey));
}

/**
 * Locks the row for this transaction if it still needs processing; null when it is done or another
 * processor holds it (SKIP LOCKED: two processors never apply one event's effects twice).
 */
export async function lockForProcessing(tx: Pick<Db, '$queryRaw'>, id: string): Promise<{ id: string; leadId: string | null; clientId: string | null } | null> {
  const rows = await tx.$queryRaw<{ id: string; leadId: string | null; clientId: string | null }[]>`
    SELECT id, "leadId", "clientId" FROM webhook_events
    WHERE id = ${id} AND status IN ('pending', 'failed')
    FOR UPDATE SKIP LOCKED`;
  return rows[0] ?? null;
}

export async function markProcessed(db: Pick<Db, 'webhookEvent'>, id: string): Promise<void> {
  await db.webhookEvent.updateMany({
    where: { id, status: { in: ['pending', 'failed'] } },
    data: { status: 'processed', processedAt: new Date(), lastError: null, attempts: { increment: 1 } },
  });
}

export async function markIgnored(db: Pick<Db, 'webhookEvent'>, id: string, reason: string): Promise<void> {
  await db.webhookEvent.updateMany({
    where: { id, status: { in: ['pending', 'failed'] } },
    data: { status: 'ignored', processedAt: new Date(), lastError: reason.slice(0, MAX_ERROR_CHARS), attempts: { increment: 1 } },
  });
}

/**
 * Counts a failed attempt. `retry: 'pending'` (unmatched yet, Temporal unreachable) keeps the row
 * pending for the sweep; `'failed'` marks a processing error. Either way the sweep retries it until
 * MAX_INBOX_ATTEMPTS; an unmatched row that runs out of attempts becomes `ignored`.
 */
export async function markAttempt(
  db: Pick<Db, 'webhookEvent'>,
  id: string,
  a: { error: string; status: 'pending' | 'failed'; unmatched?: boolean; maxAttempts?: number; count?: boolean },
): Promise<InboxStatus> {
  const max = a.maxAttempts ?? MAX_INBOX_ATTEMPTS;
  // Only an unfinished row: a slow attempt that failed must not undo another's success (the
  // processor's signal retries and the recovery sweep may overlap).
  const updated = await db.webhookEvent.updateMany({
    where: { id, status: { in: ['pending', 'failed'] } },
    data: { status: a.status, lastError: a.error.slice(0, MAX_ERROR_CHARS), attempts: { increment: a.count === false ? 0 : 1 } },
  });
  const row = await db.webhookEvent.findUniqueOrThrow({ where: { id } });
  if (updated.count === 0) return row.status;
  if (a.unmatched && row.attempts >= max) {
    await db.webhookEvent.update({ where: { id }, data: { status: 'ignored', processedAt: new Date() } });
    return 'ignored';
  }
  return row.status;
}

export interface InboxCursor {
  receivedAt: string;
  id: string;
}

/** Rows the sweep should try again: pending or failed, attempts left, older than `olderThan`. */
export async function listRecoverable(
  db: Pick<Db, 'webhookEvent'>,
  a: { limit: number; olderThan: Date; after?: InboxCursor; maxAttempts?: number },
): Promise<Pick<WebhookEvent, 'id' | 'receivedAt'>[]> {
  const after: Prisma.WebhookEventWhereInput = a.after
    ? { OR: [{ receivedAt: { gt: new Date(a.after.receivedAt) } }, { receivedAt: new Date(a.after.receivedAt), id: { gt: a.after.id } }] }
    : {};
  return db.webhookEvent.findMany({
    where: {
      status: { in: ['pending', 'failed'] },
      attempts: { lt: a.maxAttempts ?? MAX_INBOX_ATTEMPTS },
      receivedAt: { lte: a.olderThan },
      ...after,
    },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    take: a.limit,
    select: { id: true, receivedAt: true },
  });
}

/**
 * Rows written since `since` that no processor has tried yet (oldest first): what an in-process
 * processor reads back when it did not hold every accepted row in memory.
 */
export async function listUntried(
  db: Pick<Db, 'webhookEvent'>,
  a: { since: Date; limit: number; excludeProviders?: string[] },
): Promise<Pick<WebhookEvent, 'id' | 'provider' | 'eventType'>[]> {
  return db.webhookEvent.findMany({
    where: { status: 'pending', attempts: 0, receivedAt: { gte: a.since }, ...(a.excludeProviders?.length ? { provider: { notIn: a.excludeProviders } } : {}) },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    take: a.limit,
    select: { id: true, provider: true, eventType: true },
  });
}

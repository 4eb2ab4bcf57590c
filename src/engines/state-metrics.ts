// The metrics that describe database state (inbox backlog, oldest waiting webhook, review queue),
// read when Prometheus scrapes: one statement on the (status, receivedAt) / (status, createdAt)
// indexes, under a statement timeout, and reused for a few seconds so a scrape storm (several
// Prometheus servers, someone reloading the page) costs the database one query per interval.
import type { Db } from '../db/client';
import { inboxBacklog, inboxDeadLetters, inboxOldestAge, reviewQueueSize, stateQueryFailures } from '../observability/metrics';
import { MAX_INBOX_ATTEMPTS } from './inbox/store';

export const STATE_CACHE_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 2_000;

export interface StateSample {
  backlog: { provider: string; waiting: number; dead: number }[];
  /** Seconds since the oldest never-tried row arrived; 0 when none waits. */
  oldestAgeSeconds: number;
  reviewsPending: number;
}

interface Row {
  provider: string | null;
  waiting: number;
  dead: number;
  oldest_untried_s: number | null;
  reviews: number | null;
}

export async function sampleState(db: Pick<Db, '$transaction' | '$executeRawUnsafe' | '$queryRaw'>): Promise<StateSample> {
  // SET LOCAL: the timeout ends with this transaction and never reaches another query on the connection.
  const [, rows] = await db.$transaction([
    db.$executeRawUnsafe(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`),
    db.$queryRaw<Row[]>`
      SELECT provider,
             count(*) FILTER (WHERE attempts < ${MAX_INBOX_ATTEMPTS})::int AS waiting,
             count(*) FILTER (WHERE status = 'failed' AND attempts >= ${MAX_INBOX_ATTEMPTS})::int AS dead,
             extract(epoch FROM now() - min("receivedAt") FILTER (WHERE status = 'pending' AND attempts = 0))::float8 AS oldest_untried_s,
             NULL::int AS reviews
        FROM webhook_events WHERE status IN ('pending', 'failed') GROUP BY provider
      UNION ALL
      SELECT NULL, 0, 0, NULL, count(*)::int FROM reply_reviews WHERE status = 'pending'`,
  ]);
  const backlog = rows.filter((r) => r.provider !== null).map((r) => ({ provider: r.provider!, waiting: r.waiting, dead: r.dead }));
  const ages = rows.map((r) => r.oldest_untried_s).filter((a): a is number => a !== null);
  return {
    backlog,
    oldestAgeSeconds: ages.length ? Math.max(0, Math.max(...ages)) : 0,
    reviewsPending: rows.find((r) => r.provider === null)?.reviews ?? 0,
  };
}

function apply(s: StateSample): void {
  // Providers whose backlog emptied report 0 rather than vanishing (an alert on it resolves).
  for (const provider of Object.keys(lastProviders)) inboxBacklog.set({ provider }, 0);
  for (const provider of Object.keys(lastProviders)) inboxDeadLetters.set({ provider }, 0);
  for (const b of s.backlog) {
    lastProviders[b.provider] = true;
    inboxBacklog.set({ provider: b.provider }, b.waiting);
    inboxDeadLetters.set({ provider: b.provider }, b.dead);
  }
  inboxOldestAge.set(s.oldestAgeSeconds);
  reviewQueueSize.set(s.reviewsPending);
}

const lastProviders: Record<string, true> = {};
const cache = new WeakMap<object, { at: number; pending: Promise<void> }>();

/**
 * Brings the state gauges up to date from `db` before a scrape: at most one query per STATE_CACHE_MS
 * (concurrent scrapes share it). A failed query is counted and logged by the caller; the scrape
 * still answers, with the gauges' previous values.
 */
export function refreshState(db: Pick<Db, '$transaction' | '$executeRawUnsafe' | '$queryRaw'>, now = Date.now(), cacheMs = STATE_CACHE_MS): Promise<void> {
  const hit = cache.get(db);
  if (hit && now - hit.at < cacheMs) return hit.pending;
  const pending = sampleState(db).then(apply, (err: unknown) => {
    stateQueryFailures.inc();
    throw err;
  });
  cache.set(db, { at: now, pending: pending.catch(() => undefined) });
  return pending;
}

// The worker's processing of accepted webhooks. The API only verifies, writes the inbox row and
// answers; the row's NOTIFY wakes this processor (src/lifecycle/inbox-processing.ts). The inbox row is
// the queue: this processor only holds hints (ids, and a parsed payload when it was given one) and
// reads untried rows back from the inbox when it held no hint (a notification missed while the
// listening connection was down, a flood past its memory bound). So no
// accepted row waits for the six-hourly sweep just because a burst outran this process.
// Answering providers comes first (they time out and redeliver otherwise). While webhooks arrive
// faster than BURST_RATE_PER_S:
//   - events that may stop a sequence (replies, bounces, complaints, unsubscribes) keep a couple of
//     slots, so a reply still stops its sequence within a second during a burst of tracking events,
//     unless they themselves arrive at a flood rate no campaign produces (a mail loop, an attack);
//   - the rest (tracking: deliveries, opens, clicks, status callbacks) and flooding urgent events
//     wait, for at most MAX_DEFER_MS of a continuous burst, then share BURST_CONCURRENCY slots.
// After the burst everything drains at full concurrency, urgent events first. A row whose effects
// are applied but whose signals could not be sent (Temporal unreachable) stays unprocessed and is
// tried again here with backoff (at most SIGNAL_RETRY_MAX_MS apart), so a stop lands within seconds
// of Temporal's return; any other failure stays in the inbox for the reply-recovery sweep.
// Tracing: a row carries the trace context of the request that accepted it (its server span, as a
// `traceparent` in its notification), and is processed in a span of that trace, so the signals it sends and what the workflows do with them
// are in the request's trace although the answer has long gone. Rows read back from the inbox have
// no request: their processing starts a trace of its own. With tracing off the OpenTelemetry API is a no-op.
import { ROOT_CONTEXT, context, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { isTrackingEvent } from '../engines/inbox/priority';
import { listUntried } from '../engines/inbox/store';
import { processInboxEvent, type KnownInboxRow, type ReplyProcessingDeps } from '../engines/replies/process';
import { TELEGRAM_PROVIDER } from '../engines/telegram-bot/inbox';

const CONCURRENCY = 16;
const BURST_CONCURRENCY = 2;
const URGENT_BURST_CONCURRENCY = 2;
const BURST_RATE_PER_S = 150;
const URGENT_FLOOD_RATE_PER_S = 50;
const MAX_DEFER_MS = 10_000;
// Payload bytes held as hints; past this, rows wait in the inbox only (bounded memory in a flood).
const HINT_BYTES_MAX = 16 * 1024 * 1024;
const HINTS_MAX = 20_000;
const DRAIN_PAGE = 200;
// Arrival rate smoothing: an exponentially decaying count with this time constant.
const RATE_TAU_MS = 500;
// While processing waits out a burst, how often it looks again.
const RECHECK_MS = 200;
// How far back reading untried rows from the inbox goes (older ones are the sweep's; it runs
// every six hours): keeps the read on the (status, receivedAt) index.
const READ_BACK_WINDOW_MS = 6 * 60 * 60 * 1000;
// Signal retries while Temporal is unreachable: 1 s, 2 s, 4 s… then every 10 s, for up to the
// window above (after that the sweep has it).
const SIGNAL_RETRY_FIRST_MS = 1_000;
const SIGNAL_RETRY_MAX_MS = 10_000;

export interface InboxProcessorOptions {
  concurrency?: number;
  burstRatePerS?: number;
  urgentFloodRatePerS?: number;
  maxDeferMs?: number;
  hintBytesMax?: number;
  now?: () => number;
  /** Longest wait between two signal retries of a row (tests shorten it). */
  signalRetryMaxMs?: number;
}

/** What is known of a row just written (from its notification). */
export interface AcceptedRow {
  provider: string;
  eventType: string;
  /** The row as written: saves reading it back. */
  known?: KnownInboxRow;
  /** Roughly the memory `known` holds (the request body's size). */
  bytes?: number;
  /** The accepting request's trace context. */
  trace?: Context;
}

interface Hint {
  provider?: string;
  known?: KnownInboxRow;
  bytes: number;
  /** The accepting request's trace context. */
  trace?: Context;
}

const tracer = trace.getTracer('agency-os-inbox');

/** An exponentially decaying arrival count: arrivals per second over the last second or so. */
class ArrivalRate {
  private perMs = 0;
  private at = 0;

  constructor(private readonly now: () => number) {}

  hit(): void {
    this.perMs = this.current() / 1000 + 1 / RATE_TAU_MS;
  }

  current(): number {
    const now = this.now();
    this.perMs *= Math.exp(-(now - this.at) / RATE_TAU_MS);
    this.at = now;
    return this.perMs * 1000;
  }
}

export interface Slots {
  /** Events that may stop a sequence start while fewer than this many run. */
  urgent: number;
  /** Tracking events start while fewer than this many run. */
  tracking: number;
}

export class InboxProcessor {
  private readonly urgent = new Map<string, Hint>();
  private readonly tracking = new Map<string, Hint>();
  private hintBytes = 0;
  /** Rows were accepted without a hint: read untried rows back from the inbox. */
  private inInboxOnly = false;
  private draining = false;
  /** Rows read back since inInboxOnly was set: one another processor holds is not read again and again. */
  private readonly readBack = new Set<string>();
  private readonly active = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private readonly all: ArrivalRate;
  private readonly urgentArrivals: ArrivalRate;
  private burstSince: number | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Rows whose signals wait for Temporal: how often each was retried, and its timer. */
  private readonly signalRetries = new Map<string, { tries: number; since: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly deps: ReplyProcessingDeps,
    private readonly opts: InboxProcessorOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.all = new ArrivalRate(this.now);
    this.urgentArrivals = new ArrivalRate(this.now);
  }

  /** A row the route has just written (and answered). */
  enqueue(id: string, row: AcceptedRow): void {
    const tracking = isTrackingEvent(row.provider, row.eventType);
    this.all.hit();
    if (!tracking) this.urgentArrivals.hit();
    const bytes = row.bytes ?? 1024;
    const room = this.urgent.size + this.tracking.size < HINTS_MAX && this.hintBytes + bytes <= (this.opts.hintBytesMax ?? HINT_BYTES_MAX);
    if (room) this.hold(id, tracking, { provider: row.provider, known: row.known, bytes, trace: row.trace });
    else this.inInboxOnly = true;
    this.pump();
  }

  /** Rows an earlier process accepted but never tried (it stopped first): processed now, not at the next sweep. */
  catchUp(): void {
    this.inInboxOnly = true;
    this.pump();
  }

  /** Rows waiting (held here or only in the inbox) or being processed. */
  get busy(): boolean {
    return this.urgent.size > 0 || this.tracking.size > 0 || this.active.size > 0 || this.inInboxOnly || this.draining;
  }

  /** Resolves when nothing waits or runs (benchmarks, tests). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** For shutdown: waits until nothing is held or running, at most `ms`; the rest stays in the inbox. */
  async settle(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.idle().then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** How many may run right now, by kind (see the top of the file). */
  slots(): Slots {
    const full = this.opts.concurrency ?? CONCURRENCY;
    const now = this.now();
    if (this.all.current() <= (this.opts.burstRatePerS ?? BURST_RATE_PER_S)) {
      this.burstSince = null;
      return { urgent: full, tracking: full };
    }
    this.burstSince ??= now;
    const deferred = now - this.burstSince < (this.opts.maxDeferMs ?? MAX_DEFER_MS) ? 0 : BURST_CONCURRENCY;
    const flooded = this.urgentArrivals.current() > (this.opts.urgentFloodRatePerS ?? URGENT_FLOOD_RATE_PER_S);
    return { urgent: flooded ? deferred : Math.max(deferred, URGENT_BURST_CONCURRENCY), tracking: deferred };
  }

  private hold(id: string, tracking: boolean, hint: Hint): void {
    const queue = tracking ? this.tracking : this.urgent;
    if (queue.has(id)) return;
    queue.set(id, hint);
    this.hintBytes += hint.bytes;
  }

  private startFrom(queue: Map<string, Hint>, limit: number): void {
    for (const [id, hint] of queue) {
      if (this.active.size >= limit) break;
      queue.delete(id);
      this.hintBytes -= hint.bytes;
      this.start(id, hint);
    }
  }

  private pump(): void {
    const slots = this.slots();
    this.startFrom(this.urgent, slots.urgent);
    this.startFrom(this.tracking, slots.tracking);
    const room = this.active.size < Math.max(slots.urgent, slots.tracking);
    if (room && this.urgent.size + this.tracking.size === 0 && this.inInboxOnly && !this.draining) void this.drain();
    const waiting = this.urgent.size > 0 || this.tracking.size > 0 || this.inInboxOnly;
    if (waiting && this.active.size === 0 && !this.draining && !this.recheck) {
      // Nothing running will call pump again: look again once the burst may have passed.
      this.recheck = setTimeout(() => {
        this.recheck = null;
        this.pump();
      }, RECHECK_MS);
      this.recheck.unref();
    }
    if (!this.busy) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private start(id: string, hint: Hint): void {
    this.active.add(id);
    const run = () =>
      tracer.startActiveSpan('webhook process', { attributes: { 'webhook.provider': hint.provider ?? 'unknown' } }, (span) =>
        processInboxEvent(this.deps, id, hint.known)
          .then((r) => (r.signalsPending ? this.retrySignalsLater(id, hint.trace) : this.signalRetries.delete(id)))
          .catch((err: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'processing crashed' });
            this.deps.logger?.warn({ err, webhookEventId: id }, 'webhook processing crashed; left for reply recovery');
          })
          .finally(() => span.end()),
      );
    // Not the active context when the row has none: pump() also runs in the wake of another row.
    void context.with(hint.trace ?? ROOT_CONTEXT, run).finally(() => {
      this.active.delete(id);
      this.pump();
    });
  }

  /** Tries the row again after a backoff: its effects are applied, its signals wait for Temporal. */
  private retrySignalsLater(id: string, traceContext?: Context): void {
    const prev = this.signalRetries.get(id);
    const tries = (prev?.tries ?? 0) + 1;
    const since = prev?.since ?? Date.now();
    if (Date.now() - since > READ_BACK_WINDOW_MS) {
      this.signalRetries.delete(id);
      return; // the reply-recovery sweep takes it from here
    }
    const delay = Math.min(SIGNAL_RETRY_FIRST_MS * 2 ** (tries - 1), this.opts.signalRetryMaxMs ?? SIGNAL_RETRY_MAX_MS);
    const timer = setTimeout(() => {
      this.hold(id, false, { bytes: 0, trace: traceContext });
      this.pump();
    }, delay);
    // The inbox row is the record: a process that stops leaves it to catch-up and the sweep.
    timer.unref();
    this.signalRetries.set(id, { tries, since, timer });
  }

  /** One page of untried rows from the inbox; the flag clears when a page brings nothing new. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      const since = new Date(Date.now() - READ_BACK_WINDOW_MS);
      const rows = await listUntried(this.deps.db, { since, limit: DRAIN_PAGE, excludeProviders: [TELEGRAM_PROVIDER] });
      const fresh = rows.filter(({ id }) => !this.readBack.has(id) && !this.active.has(id));
      if (rows.length < DRAIN_PAGE || fresh.length === 0) {
        this.inInboxOnly = false;
        this.readBack.clear();
      }
      for (const r of fresh) {
        this.readBack.add(r.id);
        this.hold(r.id, isTrackingEvent(r.provider, r.eventType), { provider: r.provider, bytes: 0 });
      }
    } catch (err) {
      // The sweep finds them: it lists every pending row.
      this.inInboxOnly = false;
      this.readBack.clear();
      this.deps.logger?.warn({ err }, 'could not read waiting webhooks back from the inbox; left for reply recovery');
    } finally {
      this.draining = false;
      this.pump();
    }
  }
}

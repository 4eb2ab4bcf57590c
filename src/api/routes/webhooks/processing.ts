// In-process processing of accepted webhooks, right after their 2xx. The inbox row is the queue:
// this processor only holds hints (ids, and the parsed payload while memory allows) so the usual
// case needs no read back, and reads untried rows back from the inbox when it held no hint. So no
// accepted row waits for the six-hourly sweep just because a burst outran this process.
// Answering providers comes first (they time out and redeliver otherwise): while webhooks arrive
// faster than BURST_RATE_PER_S, processing waits, for at most MAX_DEFER_MS of a continuous burst,
// then shares the process at BURST_CONCURRENCY slots; after the burst it drains at full concurrency.
// A row that fails stays in the inbox for the reply-recovery sweep, which retries with backoff.
import { replyProcessingDeps } from '../../../../activities/replies';
import { listUntried } from '../../../engines/inbox/store';
import { processInboxEvent, type KnownInboxRow, type ReplyProcessingDeps } from '../../../engines/replies/process';
import { TELEGRAM_PROVIDER } from '../../../engines/telegram-bot/inbox';
import type { ApiDeps } from '../../deps';

const CONCURRENCY = 16;
const BURST_CONCURRENCY = 2;
const BURST_RATE_PER_S = 150;
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

export interface InboxProcessorOptions {
  concurrency?: number;
  burstRatePerS?: number;
  maxDeferMs?: number;
  hintBytesMax?: number;
  now?: () => number;
}

interface Hint {
  known?: KnownInboxRow;
  bytes: number;
}

export class InboxProcessor {
  private readonly hints = new Map<string, Hint>();
  private hintBytes = 0;
  /** Rows were accepted without a hint: read untried rows back from the inbox. */
  private inInboxOnly = false;
  private draining = false;
  /** Rows started since inInboxOnly was set: a busy row (another processor holds it) is not read back again and again. */
  private readonly drained = new Set<string>();
  private readonly active = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private rate = 0; // arrivals per ms, decayed
  private rateAt = 0;
  private burstSince: number | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly deps: ReplyProcessingDeps,
    private readonly opts: InboxProcessorOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Rows an earlier process accepted but never tried (it stopped first): processed now, not at the next sweep. */
  catchUp(): void {
    this.inInboxOnly = true;
    this.pump();
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

  /** A row the route has just written (and answered); `known` saves reading it back. */
  enqueue(id: string, known?: KnownInboxRow, bytes = 1024): void {
    this.rate = this.currentRate() + 1 / RATE_TAU_MS;
    const room = this.hints.size < HINTS_MAX && this.hintBytes + bytes <= (this.opts.hintBytesMax ?? HINT_BYTES_MAX);
    if (room && !this.hints.has(id)) {
      this.hints.set(id, { known, bytes });
      this.hintBytes += bytes;
    } else if (!room) {
      this.inInboxOnly = true;
    }
    this.pump();
  }

  /** Rows waiting (held here or only in the inbox) or being processed. */
  get busy(): boolean {
    return this.hints.size > 0 || this.active.size > 0 || this.inInboxOnly || this.draining;
  }

  /** Resolves when nothing waits or runs (benchmarks, tests, graceful shutdown). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private currentRate(): number {
    const now = this.now();
    this.rate *= Math.exp(-(now - this.rateAt) / RATE_TAU_MS);
    this.rateAt = now;
    return this.rate;
  }

  /** Processing slots right now: none early in a burst, a few once it has lasted, else all. */
  slots(): number {
    const now = this.now();
    if (this.currentRate() * 1000 <= (this.opts.burstRatePerS ?? BURST_RATE_PER_S)) {
      this.burstSince = null;
      return this.opts.concurrency ?? CONCURRENCY;
    }
    this.burstSince ??= now;
    return now - this.burstSince < (this.opts.maxDeferMs ?? MAX_DEFER_MS) ? 0 : BURST_CONCURRENCY;
  }

  private pump(): void {
    const slots = this.slots();
    for (const [id, hint] of this.hints) {
      if (this.active.size >= slots) break;
      this.hints.delete(id);
      this.hintBytes -= hint.bytes;
      this.start(id, hint.known);
    }
    if (this.active.size < slots && this.hints.size === 0 && this.inInboxOnly && !this.draining) void this.drain();
    if (slots === 0 && (this.hints.size > 0 || this.inInboxOnly) && !this.recheck) {
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

  private start(id: string, known?: KnownInboxRow): void {
    this.active.add(id);
    void processInboxEvent(this.deps, id, known)
      .catch((err: unknown) => this.deps.logger?.warn({ err, webhookEventId: id }, 'webhook processing crashed; left for reply recovery'))
      .finally(() => {
        this.active.delete(id);
        this.pump();
      });
  }

  /** One page of untried rows from the inbox; the flag clears when a page comes back short. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      const since = new Date(Date.now() - READ_BACK_WINDOW_MS);
      const rows = await listUntried(this.deps.db, { since, limit: DRAIN_PAGE, excludeProviders: [TELEGRAM_PROVIDER] });
      const fresh = rows.filter(({ id }) => !this.drained.has(id) && !this.active.has(id) && !this.hints.has(id));
      if (rows.length < DRAIN_PAGE || fresh.length === 0) {
        this.inInboxOnly = false;
        this.drained.clear();
      }
      for (const { id } of fresh) {
        this.drained.add(id);
        this.hints.set(id, { bytes: 0 });
      }
    } catch (err) {
      // The sweep finds them: it lists every pending row.
      this.inInboxOnly = false;
      this.drained.clear();
      this.deps.logger?.warn({ err }, 'could not read waiting webhooks back from the inbox; left for reply recovery');
    } finally {
      this.draining = false;
      this.pump();
    }
  }
}

const processors = new WeakMap<ApiDeps, InboxProcessor>();

/** One processor per app (the webhook and unsubscribe routers share it). */
export function inboxProcessor(deps: ApiDeps): InboxProcessor {
  let p = processors.get(deps);
  if (!p) {
    p = new InboxProcessor(replyProcessingDeps(deps));
    processors.set(deps, p);
  }
  return p;
}

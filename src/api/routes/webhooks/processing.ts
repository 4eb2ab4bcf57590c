// In-process processing of accepted webhooks, right after their 2xx: a small bounded queue, so a
// burst of webhooks neither delays responses nor opens unbounded database/Temporal calls. While
// webhooks arrive faster than BURST_RATE_PER_S, processing drops to a couple of slots so answering
// providers comes first (they time out and redeliver otherwise); the queue drains after the burst.
// Rows that do not fit, or fail, stay in the inbox for the reply-recovery sweep: best-effort.
import { replyProcessingDeps } from '../../../../activities/replies';
import { processInboxEvent, type KnownInboxRow, type ReplyProcessingDeps } from '../../../engines/replies/process';
import type { ApiDeps } from '../../deps';

const CONCURRENCY = 16;
const BURST_CONCURRENCY = 2;
const BURST_RATE_PER_S = 150;
const MAX_QUEUED = 5_000;
// Arrival rate smoothing: an exponentially decaying count with this time constant.
const RATE_TAU_MS = 500;

export class InboxProcessor {
  private readonly queue: { id: string; known?: KnownInboxRow }[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private rate = 0; // arrivals per ms, decayed
  private rateAt = 0;

  constructor(
    private readonly deps: ReplyProcessingDeps,
    private readonly opts: { concurrency?: number; maxQueued?: number } = {},
  ) {}

  /** Queues a row; false when the queue is full (the sweep will pick the row up). */
  enqueue(id: string, known?: KnownInboxRow): boolean {
    if (this.queue.length >= (this.opts.maxQueued ?? MAX_QUEUED)) {
      this.deps.logger?.warn({ webhookEventId: id }, 'webhook processing queue full; left for reply recovery');
      return false;
    }
    this.queue.push({ id, known });
    this.rate = this.currentRate() + 1 / RATE_TAU_MS;
    this.pump();
    return true;
  }

  /** Resolves when nothing is queued or running (benchmarks, graceful shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private currentRate(): number {
    const now = performance.now();
    this.rate *= Math.exp(-(now - this.rateAt) / RATE_TAU_MS);
    this.rateAt = now;
    return this.rate;
  }

  private slots(): number {
    return this.currentRate() * 1000 > BURST_RATE_PER_S ? BURST_CONCURRENCY : (this.opts.concurrency ?? CONCURRENCY);
  }

  private pump(): void {
    while (this.running < this.slots() && this.queue.length > 0) {
      const { id, known } = this.queue.shift()!;
      this.running++;
      void processInboxEvent(this.deps, id, known)
        .catch((err: unknown) => this.deps.logger?.warn({ err, webhookEventId: id }, 'webhook processing crashed; left for reply recovery'))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
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

// In-process processing of accepted Telegram updates, right after the webhook's 200: one user's
// updates run one after another, in arrival order (a rating, then the answer to "what worked?"),
// different users' in parallel up to a small limit. What does not fit stays pending in the inbox.

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_MAX_QUEUED = 1_000;

export class TelegramUpdateQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private running = 0;
  private queued = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly process: (rowId: string) => Promise<unknown>,
    private readonly opts: { concurrency?: number; maxQueued?: number; onError?: (err: unknown, rowId: string) => void } = {},
  ) {}

  /** Queues the row behind the same sender's earlier updates; false when the queue is full. */
  enqueue(senderKey: string, rowId: string): boolean {
    if (this.queued >= (this.opts.maxQueued ?? DEFAULT_MAX_QUEUED)) return false;
    this.queued++;
    const previous = this.chains.get(senderKey) ?? Promise.resolve();
    const next = previous.then(() => this.run(rowId));
    this.chains.set(senderKey, next);
    void next.then(() => {
      if (this.chains.get(senderKey) === next) this.chains.delete(senderKey);
      this.queued--;
      if (this.queued === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    return true;
  }

  /** Resolves when nothing is queued or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(rowId: string): Promise<void> {
    while (this.running >= (this.opts.concurrency ?? DEFAULT_CONCURRENCY)) await new Promise<void>((r) => this.slotWaiters.push(r));
    this.running++;
    try {
      await this.process(rowId);
    } catch (err) {
      this.opts.onError?.(err, rowId);
    } finally {
      this.running--;
      this.slotWaiters.shift()?.();
    }
  }
}

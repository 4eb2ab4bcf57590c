// The worker's outbound-event dispatcher: woken by PostgreSQL's NOTIFY on `outbound_events` (a
// trigger fires it at the commit of any transaction that wrote events) and by a short poll, it runs
// dispatchOutbound one pass at a time. A failed pass (Temporal down) is retried on the next wake-up,
// so events written during an outage are delivered when Temporal is back. The Schedule
// `schedule:webhook-dispatch` is the net under this one (a worker without a listening connection).
import { listenForNotifications } from '../db/listen';
import type { Logger } from '../logger';
import { dispatchOutbound, type DeliveryDeps } from './webhook-deliveries';

export interface DispatcherOptions extends DeliveryDeps {
  databaseUrl: string;
  logger: Logger;
  /** Poll interval when no notification comes (default 2 s). */
  pollMs?: number;
}

export interface Dispatcher {
  /** Runs a pass now (tests, shutdown); resolves when the passes queued so far are done. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

export function startWebhookDispatcher(opts: DispatcherOptions): Dispatcher {
  const log = opts.logger.child({ component: 'webhook-dispatcher' });
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const pass = async () => {
    try {
      const r = await dispatchOutbound(opts);
      if (r.events) log.debug(r, 'outbound events dispatched');
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'dispatching outbound events failed; retrying on the next wake-up');
    }
  };
  const kick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
      running = null;
    })();
    return running;
  };

  const listener = listenForNotifications({
    databaseUrl: opts.databaseUrl,
    channel: 'outbound_events',
    onNotification: () => void kick(),
    // Events committed while the connection was down: the poll would find them; this is sooner.
    onListening: () => void kick(),
    logger: log,
  });
  const timer = setInterval(() => void kick(), opts.pollMs ?? 2000);
  timer.unref();
  void kick();

  return {
    kick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await listener.stop();
    },
  };
}

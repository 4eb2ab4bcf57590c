// Every activity heartbeats while it runs, so Temporal notices a dead worker within the activity's
// heartbeatTimeout (workflows/definitions/retry.ts) and retries the attempt elsewhere, instead of
// waiting out its start-to-close timeout. The beat says "this worker is alive", not "progress":
// activities that page through work still report progress themselves, and start-to-close still
// bounds an attempt that hangs on a live worker.
import { Context } from '@temporalio/activity';

export const LIVENESS_BEAT_MS = 5_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activity signatures vary; the wrapper keeps each one's type
type AnyActivity = (...args: any[]) => Promise<unknown>;

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    // Called outside an activity (a unit test calling the function directly): nothing to beat for.
    return undefined;
  }
}

export function withLiveness<T extends Record<string, AnyActivity>>(activities: T, everyMs = LIVENESS_BEAT_MS): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const ctx = currentContext();
      // Local activities cannot heartbeat (their timeout is the only bound, and it is short).
      if (!ctx || ctx.info.isLocal) return fn(...args);
      const beat = setInterval(() => ctx.heartbeat(), everyMs);
      try {
        return await fn(...args);
      } finally {
        clearInterval(beat);
      }
    };
  }
  return wrapped as T;
}

// A lock for workflow code: one holder at a time, waiters in arrival order, so update handlers that
// await activities run one after another (the same shape as campaign.ts's, which keeps its own
// copy: moving it would be a change to that workflow's module for no behavioural gain).
export function createLock() {
  let held = false;
  const waiters: (() => void)[] = [];
  return async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (held) await new Promise<void>((resolve) => waiters.push(resolve));
    held = true;
    try {
      return await fn();
    } finally {
      const next = waiters.shift();
      if (next)
        next(); // handed over: stays held
      else held = false;
    }
  };
}

// A lock for workflow code: one holder at a time, waiters in arrival order, so update handlers that
// await activities run one after another (campaign and playbook runs). A free lock runs `fn` at once
// (no extra await), so code that takes it while it is free issues the same commands, in the same
// order, as it did before the lock existed: moving campaign.ts's copy here changed no history.
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

// Runs `fn` over `items` with at most `limit` calls in flight (providers rate-limit bursts; Temporal
// and the database take a bounded number of round trips at once). After the first failure no further
// item is started; the calls already in flight are awaited, then the run rejects with that failure,
// so nothing of a failed run (a failed activity attempt) is still working when its caller retries.
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const failure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failure) throw failure.reason;
}

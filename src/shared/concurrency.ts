// Runs `fn` over `items` with at most `limit` calls in flight (providers rate-limit bursts; Temporal
// and the database take a bounded number of round trips at once). The first failure rejects the
// whole run and no further item is started; calls already in flight finish on their own.
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
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

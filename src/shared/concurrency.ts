/**
 * Runs `work` on every item with at most `limit` running at once, in order of
 * the items. Stops starting new items once `signal` aborts; items already
 * started finish (or fail) on their own. Never rejects: `work` handles its errors.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const item = items[next++]
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

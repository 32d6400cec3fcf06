/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight: keeps file handles and memory
 * bounded when reading thousands of files. Results keep the input order; the first error rejects.
 */
export async function mapLimit<T, R>(
  items: ArrayLike<T>, limit: number, fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

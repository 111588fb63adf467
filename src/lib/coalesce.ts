import { background } from "./background";

/**
 * Buffers small records per isolate and hands them to `flush` as one batch
 * `delayMs` after the first one arrived: one queue message for many page views
 * or searches instead of one each. The pending flush is held open with the
 * current request's waitUntil, so buffered records survive the response.
 */
export function coalescer<T, E>(delayMs: number, flush: (batch: T[], env: E) => Promise<void>) {
  let buffer: T[] = [];
  let pending: Promise<void> | null = null;
  return async function add(item: T, env: E): Promise<void> {
    buffer.push(item);
    if (pending) return;
    pending = (async () => {
      await new Promise((r) => setTimeout(r, delayMs));
      const batch = buffer;
      buffer = [];
      pending = null;
      await flush(batch, env);
    })();
    const p = pending;
    await background(() => p);
  };
}

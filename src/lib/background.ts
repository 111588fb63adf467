import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Work that may finish after the response (publishing events, marking the
 * outbox): handed to the current request's `waitUntil`, found through
 * AsyncLocalStorage so services need no HTTP types. Outside a request (queue
 * consumers, cron, tests calling services directly) it is simply awaited.
 */
const current = new AsyncLocalStorage<{ waitUntil(p: Promise<unknown>): void }>();

export function withBackground<T>(ctx: { waitUntil(p: Promise<unknown>): void }, fn: () => T): T {
  return current.run(ctx, fn);
}

export async function background(task: () => Promise<unknown>): Promise<void> {
  const ctx = current.getStore();
  if (ctx) ctx.waitUntil(task());
  else await task();
}

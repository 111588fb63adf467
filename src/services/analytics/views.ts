import { background } from "../../lib/background";

/**
 * Product views are the highest-volume fact: instead of one queue message per
 * page view, views are buffered per isolate and sent as one batch at most every
 * 500 ms. The pending flush is held open with the request's waitUntil, so a
 * buffered view is not dropped when the response is sent.
 */
interface View {
  type: "product.viewed";
  view_id: string;
  product_id: string;
  seller_id: string;
  user_id: string | null;
  at: string;
}

const FLUSH_AFTER_MS = 500;
const MAX_BATCH = 100;
let buffer: View[] = [];
let flushing: Promise<void> | null = null;

async function flush(env: Pick<Env, "ANALYTICS">): Promise<void> {
  await new Promise((r) => setTimeout(r, FLUSH_AFTER_MS));
  const batch = buffer;
  buffer = [];
  flushing = null;
  for (let i = 0; i < batch.length; i += MAX_BATCH) {
    await env.ANALYTICS.sendBatch(batch.slice(i, i + MAX_BATCH).map((body) => ({ body, contentType: "json" as const })));
  }
}

export async function recordView(env: Pick<Env, "ANALYTICS">, view: Omit<View, "type">): Promise<void> {
  buffer.push({ type: "product.viewed", ...view });
  if (!flushing) {
    flushing = flush(env);
    const pending = flushing;
    await background(() => pending);
  }
}

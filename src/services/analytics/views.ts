import { coalescer } from "../../lib/coalesce";

/**
 * Product views are the highest-volume fact: they are buffered per isolate and
 * sent to the ANALYTICS queue as one batch every 500 ms (see coalescer).
 */
interface View {
  type: "product.viewed";
  view_id: string;
  product_id: string;
  seller_id: string;
  user_id: string | null;
  at: string;
}

const MAX_BATCH = 100;

const addView = coalescer<View, Pick<Env, "ANALYTICS">>(500, async (batch, env) => {
  for (let i = 0; i < batch.length; i += MAX_BATCH) {
    await env.ANALYTICS.sendBatch(
      batch.slice(i, i + MAX_BATCH).map((body) => ({ body, contentType: "json" as const })),
    );
  }
});

export function recordView(env: Pick<Env, "ANALYTICS">, view: Omit<View, "type">): Promise<void> {
  return addView({ type: "product.viewed", ...view }, env);
}

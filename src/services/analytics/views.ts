import { coalescer } from "../../lib/coalesce";

/**
 * Product views are the highest-volume fact: they are buffered per isolate and
 * sent to the ANALYTICS queue every 500 ms, anonymous ones as `product.views` messages of up to
 * 250 views each (about 50 KB, well under a queue message's 128 KB), not one message
 * per view: a queue operation per view cost more than the view's own warehouse row.
 */
interface View {
  view_id: string;
  product_id: string;
  seller_id: string;
  user_id: string | null;
  at: string;
}

/** A view is about 200 bytes of JSON: 250 of them stay far below the 128 KB a message may carry. */
const VIEWS_PER_MESSAGE = 250;
/** sendBatch takes at most 100 messages and 256 KB per call: four full groups, or many single views. */
const MESSAGES_PER_SEND = 4;

const addView = coalescer<View, Pick<Env, "ANALYTICS">>(500, async (batch, env) => {
  // A signed-in view also feeds co-views and affinity (about 15 statements): one per message, so a
  // consumer batch stays within an invocation's 1,000 queries. Anonymous views, the bulk, are grouped.
  const anonymous = batch.filter((v) => !v.user_id);
  const messages: { body: unknown; contentType: "json" }[] = batch
    .filter((v) => v.user_id)
    .map((v) => ({ body: { type: "product.viewed", ...v }, contentType: "json" }));
  for (let i = 0; i < anonymous.length; i += VIEWS_PER_MESSAGE)
    messages.push({
      body: { type: "product.views", views: anonymous.slice(i, i + VIEWS_PER_MESSAGE) },
      contentType: "json",
    });
  for (let i = 0; i < messages.length; i += MESSAGES_PER_SEND)
    await env.ANALYTICS.sendBatch(messages.slice(i, i + MESSAGES_PER_SEND));
});

export function recordView(env: Pick<Env, "ANALYTICS">, view: View): Promise<void> {
  return addView(view, env);
}

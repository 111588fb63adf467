import { z } from "@hono/zod-openapi";
import { ingestAnonymousViews, ingestView } from "../services/analytics";
import { recordDeadLetter } from "./dead-letters";
import { retryDelaySeconds } from "./events-consumer";

const View = z.object({
  view_id: z.string(),
  product_id: z.string(),
  seller_id: z.string(),
  user_id: z.string().nullable().optional(),
  at: z.string(),
});
type View = z.infer<typeof View>;
/** Up to 250 views in one message (src/services/analytics/views.ts); one view per message from before. */
const Fact = z.union([
  z.object({ type: z.literal("product.views"), views: z.array(View).max(1000) }),
  View.extend({ type: z.literal("product.viewed") }),
]);

/**
 * High-volume analytics facts that are not domain events (product page views),
 * idempotent by view id, so a message retried whole writes nothing twice.
 * Anonymous views, the bulk, are written for the whole batch at once
 * (multi-row inserts); a signed-in viewer's view also feeds co-views and
 * affinity, one by one.
 */
export async function consumeAnalytics(batch: MessageBatch, env: Env): Promise<void> {
  const anonymous: { message: Message; views: View[] }[] = [];
  for (const message of batch.messages) {
    const parsed = Fact.safeParse(message.body);
    if (!parsed.success) {
      await recordDeadLetter(env, batch.queue, message, "not an analytics fact");
      message.ack();
      continue;
    }
    const views = parsed.data.type === "product.views" ? parsed.data.views : [parsed.data];
    try {
      for (const view of views) if (view.user_id) await ingestView(env, view);
    } catch {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      continue;
    }
    anonymous.push({ message, views: views.filter((v) => !v.user_id) });
  }
  if (anonymous.length === 0) return;
  try {
    await ingestAnonymousViews(
      env,
      anonymous.flatMap((a) => a.views),
    );
    for (const a of anonymous) a.message.ack();
  } catch {
    for (const a of anonymous) a.message.retry({ delaySeconds: retryDelaySeconds(a.message.attempts) });
  }
}

import { z } from "@hono/zod-openapi";
import { ingestAnonymousViews, ingestView } from "../services/analytics";
import { recordDeadLetter } from "./dead-letters";
import { retryDelaySeconds } from "./events-consumer";

const View = z.object({
  type: z.literal("product.viewed"),
  view_id: z.string(),
  product_id: z.string(),
  seller_id: z.string(),
  user_id: z.string().nullable().optional(),
  at: z.string(),
});

/**
 * High-volume analytics facts that are not domain events (product page views),
 * idempotent by view id. Anonymous views, the bulk, are written a batch at a
 * time (multi-row inserts); a signed-in viewer's view also feeds co-views and
 * affinity, one by one.
 */
export async function consumeAnalytics(batch: MessageBatch, env: Env): Promise<void> {
  const anonymous: { message: Message; view: z.infer<typeof View> }[] = [];
  for (const message of batch.messages) {
    const parsed = View.safeParse(message.body);
    if (!parsed.success) {
      await recordDeadLetter(env, batch.queue, message, "not an analytics fact");
      message.ack();
      continue;
    }
    if (!parsed.data.user_id) {
      anonymous.push({ message, view: parsed.data });
      continue;
    }
    try {
      await ingestView(env, parsed.data);
      message.ack();
    } catch {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
  if (anonymous.length === 0) return;
  try {
    await ingestAnonymousViews(
      env,
      anonymous.map((a) => a.view),
    );
    for (const a of anonymous) a.message.ack();
  } catch {
    for (const a of anonymous) a.message.retry({ delaySeconds: retryDelaySeconds(a.message.attempts) });
  }
}

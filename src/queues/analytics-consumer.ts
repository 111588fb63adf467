import { z } from "@hono/zod-openapi";
import { ingestView } from "../services/analytics/ingest";
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

/** High-volume analytics facts that are not domain events (product page views). Idempotent by view id. */
export async function consumeAnalytics(batch: MessageBatch, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = View.safeParse(message.body);
    if (!parsed.success) {
      await recordDeadLetter(env, batch.queue, message, "not an analytics fact");
      message.ack();
      continue;
    }
    try {
      await ingestView(env, parsed.data);
      message.ack();
    } catch {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

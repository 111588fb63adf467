import { z } from "@hono/zod-openapi";
import { deliver } from "../services/notifications";
import { attemptDelivery } from "../services/webhooks";
import { recordDeadLetter } from "./dead-letters";
import { retryDelaySeconds } from "./events-consumer";

const Message = z.object({ notification_id: z.string() });
const Delivery = z.object({ webhook_delivery_id: z.string() });

/**
 * Sends queued email and SMS notifications, and sellers' webhook deliveries. A send that fails is retried with
 * backoff; the last attempt that fails marks the notification `failed` and
 * parks the message as a dead letter for admins (GET /admin/dead-letters).
 */
export async function consumeNotifications(batch: MessageBatch, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const hook = Delivery.safeParse(message.body);
    if (hook.success) {
      const outcome = await attemptDelivery(env, hook.data.webhook_delivery_id, message.attempts);
      if (outcome === "retry") message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      else {
        if (outcome === "failed") await recordDeadLetter(env, batch.queue, message, "webhook delivery failed");
        message.ack();
      }
      continue;
    }
    const parsed = Message.safeParse(message.body);
    if (!parsed.success) {
      await recordDeadLetter(env, batch.queue, message, "not a notification message");
      message.ack();
      continue;
    }
    const { outcome, error } = await deliver(env, parsed.data.notification_id, message.attempts);
    if (outcome === "retry") {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      continue;
    }
    if (outcome === "failed") await recordDeadLetter(env, batch.queue, message, `send failed: ${error ?? "gave up"}`);
    message.ack();
  }
}

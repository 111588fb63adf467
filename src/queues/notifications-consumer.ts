import { z } from "@hono/zod-openapi";
import { deliverMany } from "../services/notifications";
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
  const notices: { message: Message; id: string }[] = [];
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
    notices.push({ message, id: parsed.data.notification_id });
  }
  if (notices.length === 0) return;
  // The notifications of the batch together: one read, one send per channel where the provider can, one write.
  const outcomes = await deliverMany(
    env,
    notices.map((n) => ({ id: n.id, attempt: n.message.attempts })),
  );
  for (const { message, id } of notices) {
    const { outcome, error } = outcomes.get(id) ?? { outcome: "gone" as const };
    if (outcome === "retry") {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      continue;
    }
    if (outcome === "failed") await recordDeadLetter(env, batch.queue, message, `send failed: ${error ?? "gave up"}`);
    message.ack();
  }
}

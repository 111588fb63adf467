import { consumeDeadLetters, recordDeadLetter } from "./dead-letters";
import { consumeEvents } from "./events-consumer";
import { consumeNotifications } from "./notifications-consumer";
import { consumeAnalytics } from "./analytics-consumer";

/**
 * The Worker's queue handler: routes a batch by queue name (a deploy environment's queues carry
 * its suffix, e.g. `marketplace-events-staging`). A queue with no consumer here has its messages
 * parked as dead letters rather than silently dropped.
 */
export async function handleQueue(batch: MessageBatch, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, env);
  const queue = batch.queue.replace(/-(staging|production)$/, "");
  if (queue === "marketplace-events") return consumeEvents(batch, env);
  if (queue === "marketplace-notifications") return consumeNotifications(batch, env);
  if (queue === "marketplace-analytics") return consumeAnalytics(batch, env);
  for (const message of batch.messages) {
    await recordDeadLetter(env, batch.queue, message, `no consumer for queue ${batch.queue}`);
    message.ack();
  }
}

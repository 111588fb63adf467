import { consumeDeadLetters, recordDeadLetter } from "./dead-letters";
import { consumeEvents } from "./events-consumer";
import { consumeNotifications } from "./notifications-consumer";
import { consumeAnalytics } from "./analytics-consumer";

/**
 * The Worker's queue handler: routes a batch by queue name. The notifications,
 * analytics and search-index queues get their consumers with the issues that
 * build those modules; until then anything sent there is parked as a dead
 * letter rather than silently dropped.
 */
export async function handleQueue(batch: MessageBatch, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, env);
  if (batch.queue === "marketplace-events") return consumeEvents(batch, env);
  if (batch.queue === "marketplace-notifications") return consumeNotifications(batch, env);
  if (batch.queue === "marketplace-analytics") return consumeAnalytics(batch, env);
  for (const message of batch.messages) {
    await recordDeadLetter(env, batch.queue, message, `no consumer for queue ${batch.queue}`);
    message.ack();
  }
}

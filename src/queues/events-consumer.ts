import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { processedEvents } from "../db/schema";
import { errorFields, log } from "../lib/logger";
import { parseEvent } from "../services/events";
import { recordDeadLetter } from "./dead-letters";
import { SUBSCRIBERS } from "./subscribers";

/** Exponential backoff for a retried message: 2, 4, 8 ... seconds, at most 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

async function alreadyProcessed(env: Env, consumer: string, eventId: string): Promise<boolean> {
  const row = await getDb(env)
    .select({ id: processedEvents.eventId })
    .from(processedEvents)
    .where(and(eq(processedEvents.consumer, consumer), eq(processedEvents.eventId, eventId)))
    .get();
  return !!row;
}

async function markProcessed(env: Env, consumer: string, eventId: string): Promise<void> {
  await getDb(env).insert(processedEvents).values({ consumer, eventId }).onConflictDoNothing();
}

/**
 * Fans each domain event out to its subscribers. A message that is not a known
 * event is dead-lettered at once; a subscriber failure retries the message
 * with backoff (subscribers that already succeeded are skipped on the retry),
 * and after max_retries the queue moves it to the dead-letter queue.
 */
export async function consumeEvents(batch: MessageBatch, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      await recordDeadLetter(env, batch.queue, message, parsed.reason);
      message.ack();
      continue;
    }
    const { event } = parsed;
    try {
      for (const subscriber of SUBSCRIBERS[event.type]) {
        if (await alreadyProcessed(env, subscriber.name, event.id)) continue;
        await subscriber.handle(event, env);
        await markProcessed(env, subscriber.name, event.id);
      }
      message.ack();
    } catch (err) {
      log("warn", "event handling failed; will retry", {
        queue: batch.queue,
        event_id: event.id,
        event_type: event.type,
        attempts: message.attempts,
        ...errorFields(err),
      });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

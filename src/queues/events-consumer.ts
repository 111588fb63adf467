import { inArray } from "drizzle-orm";
import { getDb } from "../db/client";
import { processedEvents } from "../db/schema/events";
import { errorFields, log } from "../lib/logger";
import { parseEvent, type DomainEvent } from "../services/events";
import { recordDeadLetter } from "./dead-letters";
import { SUBSCRIBERS, type Subscriber } from "./subscribers";

/** Exponential backoff for a retried message: 2, 4, 8 ... seconds, at most 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

/** D1 binds at most 100 values per statement: event ids per lookup. */
const IDS_PER_LOOKUP = 90;

/** Which (subscriber, event) pairs of these events already ran: one query per 90 events. */
async function processedPairs(env: Env, eventIds: string[]): Promise<Set<string>> {
  const done = new Set<string>();
  for (let i = 0; i < eventIds.length; i += IDS_PER_LOOKUP) {
    const rows = await getDb(env)
      .select({ consumer: processedEvents.consumer, eventId: processedEvents.eventId })
      .from(processedEvents)
      .where(inArray(processedEvents.eventId, eventIds.slice(i, i + IDS_PER_LOOKUP)))
      .all();
    for (const r of rows) done.add(`${r.consumer}|${r.eventId}`);
  }
  return done;
}

/** Records the pairs that ran, in multi-row inserts (two values a row) in one batch. */
async function markProcessed(env: Env, pairs: { consumer: string; eventId: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  const db = getDb(env);
  const inserts = [];
  for (let i = 0; i < pairs.length; i += 45)
    inserts.push(
      db
        .insert(processedEvents)
        .values(pairs.slice(i, i + 45))
        .onConflictDoNothing(),
    );
  await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
}

/**
 * Fans each domain event out to its subscribers. A message that is not a known
 * event is dead-lettered at once; a subscriber failure retries the message
 * with backoff (subscribers that already succeeded are skipped on the retry),
 * and after max_retries the queue moves it to the dead-letter queue. What ran
 * is looked up and recorded once per batch, not once per subscriber and event;
 * messages are settled only after that record is written (delivery stays at
 * least once, and every subscriber is idempotent).
 */
export async function consumeEvents(batch: MessageBatch, env: Env): Promise<void> {
  const events: { message: Message; event: DomainEvent }[] = [];
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      await recordDeadLetter(env, batch.queue, message, parsed.reason);
      message.ack();
      continue;
    }
    events.push({ message, event: parsed.event });
  }
  const done = await processedPairs(
    env,
    events.filter((e) => SUBSCRIBERS[e.event.type].length > 0).map((e) => e.event.id),
  );
  // Each subscriber's share of the batch, in message order; a subscriber with handleBatch takes it in one call.
  const work = new Map<Subscriber, { message: Message; event: DomainEvent }[]>();
  for (const e of events) {
    for (const subscriber of SUBSCRIBERS[e.event.type]) {
      if (done.has(`${subscriber.name}|${e.event.id}`)) continue;
      const list = work.get(subscriber);
      if (list) list.push(e);
      else work.set(subscriber, [e]);
    }
  }
  const ran: { consumer: string; eventId: string }[] = [];
  const failed = new Set<Message>();
  const fail = (subscriber: Subscriber, list: { message: Message; event: DomainEvent }[], err: unknown) => {
    for (const { message, event } of list) {
      failed.add(message);
      log("warn", "event handling failed; will retry", {
        queue: batch.queue,
        subscriber: subscriber.name,
        event_id: event.id,
        event_type: event.type,
        attempts: message.attempts,
        ...errorFields(err),
      });
    }
  };
  for (const [subscriber, list] of work) {
    if (subscriber.handleBatch) {
      try {
        await subscriber.handleBatch(
          list.map((e) => e.event),
          env,
        );
        for (const { event } of list) ran.push({ consumer: subscriber.name, eventId: event.id });
      } catch (err) {
        fail(subscriber, list, err);
      }
      continue;
    }
    for (const e of list) {
      try {
        await subscriber.handle(e.event, env);
        ran.push({ consumer: subscriber.name, eventId: e.event.id });
      } catch (err) {
        fail(subscriber, [e], err);
      }
    }
  }
  await markProcessed(env, ran);
  for (const { message } of events) {
    if (failed.has(message)) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    else message.ack();
  }
}

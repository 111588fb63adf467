import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

// ---- events module (src/services/events.ts) ---------------------------------
/** Transactional outbox: an event is written in the same D1 batch as the change it reports. */
export const outboxEvents = sqliteTable(
  "outbox_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    createdAt: createdAt(),
    dispatchedAt: integer("dispatched_at"),
  },
  (t) => [index("outbox_events_pending_idx").on(t.dispatchedAt, t.id)],
);

/** Consumer-side de-duplication: (consumer, event id) is processed once. */
export const processedEvents = sqliteTable(
  "processed_events",
  {
    consumer: text("consumer").notNull(),
    eventId: text("event_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/** Messages that exhausted their retries, parked for admins to inspect and replay. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull(),
    /** When an admin sent it back to its queue (null: still parked). */
    replayedAt: text("replayed_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("dead_letters_message_uq").on(t.queue, t.messageId)],
);

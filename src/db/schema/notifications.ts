import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- notifications module (src/services/notifications/*) --------------------
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** What it is about: order_paid, order_shipped, welcome, back_in_stock, promotion, … */
    kind: text("kind").notNull(),
    channel: text("channel", { enum: ["in_app", "email", "sms"] }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: ["pending", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** One notification per (cause, channel): a redelivered event inserts nothing. */
    dedupeKey: text("dedupe_key").notNull(),
    readAt: text("read_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("notifications_dedupe_uq").on(t.dedupeKey),
    index("notifications_inbox_idx").on(t.userId, t.channel, t.id),
    index("notifications_status_idx").on(t.status, t.createdAt),
  ],
);

/** Per user and kind: the channels wanted (absent row: the default for that kind). */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    channels: text("channels", { mode: "json" }).$type<string[]>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** Where email and SMS go locally and in tests (the `sink` provider): never the internet. */
export const messageSink = sqliteTable(
  "message_sink",
  {
    id: text("id").primaryKey(),
    channel: text("channel").notNull(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    notificationId: text("notification_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("message_sink_recipient_idx").on(t.recipient, t.id)],
);

import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- integrations module (src/services/webhooks.ts) -------------------------
/** A seller's endpoint for order events; the signing secret is sealed with WALLET_KEY. */
export const sellerWebhooks = sqliteTable(
  "seller_webhooks",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    url: text("url").notNull(),
    sealedSecret: text("sealed_secret").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("seller_webhooks_seller_idx").on(t.sellerId)],
);

/** The delivery log: one row per (webhook, event), with its attempts and last answer. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_once_uq").on(t.webhookId, t.eventId),
    index("webhook_deliveries_log_idx").on(t.webhookId, t.id),
  ],
);

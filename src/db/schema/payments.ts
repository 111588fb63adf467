import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- payments module (src/services/payments/*) ------------------------------
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    userId: text("user_id").notNull(),
    provider: text("provider").notNull(),
    /** The provider's reference (PaymentIntent id): the audit trail. */
    transactionRef: text("transaction_ref"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["processing", "succeeded", "failed", "requires_action", "canceled"] }).notNull(),
    paymentMethod: text("payment_method").notNull(),
    failureCode: text("failure_code"),
    clientSecret: text("client_secret"),
    /** `manual`: authorised at checkout, captured per seller shipment (capture.ts); `automatic`: captured at once. */
    captureMethod: text("capture_method", { enum: ["automatic", "manual"] })
      .notNull()
      .default("automatic"),
    /** Of `amount`, what has been captured so far (an automatic charge: all of it once it succeeded). */
    capturedAmount: integer("captured_amount").notNull().default(0),
    /** Of `amount`, what was let go uncaptured (cancelled lines, an expired authorisation). */
    releasedAmount: integer("released_amount").notNull().default(0),
    /** Each capture: which seller's lines it was for, and the provider's reference. */
    captures: text("captures", { mode: "json" })
      .$type<
        { id: string; seller_id: string | null; item_ids: string[]; amount: number; ref: string | null; at: string }[]
      >()
      .notNull()
      .default(sql`'[]'`),
    /** What the buyer must do to finish (a redirect to their bank or wallet, an in-app confirmation); null when nothing. */
    nextAction: text("next_action", { mode: "json" }).$type<
      { type: "redirect_to_url"; url: string } | { type: "use_stripe_sdk"; client_secret: string }
    >(),
    /** When the provider lets the authorisation lapse (Stripe: 7 days); the expiry cron acts before. */
    authorizedUntil: text("authorized_until"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("payments_order_idx").on(t.orderId), uniqueIndex("payments_ref_uq").on(t.provider, t.transactionRef)],
);

export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    paymentId: text("payment_id"),
    userId: text("user_id").notNull(),
    requestedBy: text("requested_by").notNull(),
    amount: integer("amount").notNull(),
    /** Of `amount`, what went back as store credit. */
    walletAmount: integer("wallet_amount").notNull().default(0),
    /** Of `amount`, what was let go of an uncaptured authorisation (not refunded at the provider). */
    releasedAmount: integer("released_amount").notNull().default(0),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
    transactionRef: text("transaction_ref"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("refunds_user_idx").on(t.userId, t.id), index("refunds_order_idx").on(t.orderId)],
);

/** Provider webhook events already applied (Stripe retries and reorders them). */
export const webhookEvents = sqliteTable("webhook_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  createdAt: createdAt(),
});

/** Platform payment settings an admin sets (one row per key, a JSON value): the capture policy. */
export const paymentSettings = sqliteTable("payment_settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  updatedAt: updatedAt(),
});

/**
 * Provider webhook events that arrived before what they act on (a refund before its capture, a
 * dispute before its charge is known): kept and retried by the cron with backoff, never dropped.
 */
export const parkedWebhookEvents = sqliteTable(
  "parked_webhook_events",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    reason: text("reason").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Epoch ms of the next retry; null once applied or given up (kept for the record). */
    nextAttemptAt: integer("next_attempt_at"),
    status: text("status", { enum: ["parked", "applied", "dead"] })
      .notNull()
      .default("parked"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("parked_webhook_events_due_idx").on(t.status, t.nextAttemptAt)],
);

/** Card disputes (chargebacks) of an order's payment, in the order's database. */
export const paymentDisputes = sqliteTable(
  "payment_disputes",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    paymentId: text("payment_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["open", "won", "lost"] }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("payment_disputes_order_idx").on(t.orderId)],
);

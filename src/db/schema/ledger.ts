import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- seller money (src/services/ledger.ts) ----------------------------------
/**
 * The double-entry ledger: every posting is a set of entries that sum to zero. Accounts are
 * `seller:<id>`, `platform:commission` and `platform:clearing` (money held for the marketplace
 * between the buyer's payment and the sellers' payouts). `ref` makes each entry post once,
 * however often the event behind it is delivered.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    account: text("account").notNull(),
    sellerId: text("seller_id"),
    kind: text("kind", {
      enum: ["sale", "commission", "refund", "payout", "capture", "shipping", "tax", "dispute"],
    }).notNull(),
    /** Signed minor units. */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("usd"),
    /** The rate an order in another currency was settled at (micro-units per 1 USD); null for usd amounts. */
    fxRateMicro: integer("fx_rate_micro"),
    orderId: text("order_id"),
    orderItemId: text("order_item_id"),
    payoutId: text("payout_id"),
    ref: text("ref").notNull(),
    /** When a seller's sale becomes available for payout (delivery plus the holding period); null until delivered. */
    availableAt: text("available_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("ledger_entries_ref_uq").on(t.ref),
    index("ledger_entries_seller_idx").on(t.sellerId, t.id),
    index("ledger_entries_order_idx").on(t.orderId),
  ],
);

/** Commission per category (inherited down the tree: the deepest rule on a product's path applies). */
export const commissionRules = sqliteTable("commission_rules", {
  categoryId: text("category_id").primaryKey(),
  /** Basis points of the line (1000 = 10%). */
  percentBp: integer("percent_bp").notNull(),
  fixed: integer("fixed").notNull().default(0),
  min: integer("min"),
  max: integer("max"),
  updatedAt: updatedAt(),
});

/** Where and whether a seller is paid: their connected payout account, and an admin's hold. */
export const sellerPayoutSettings = sqliteTable("seller_payout_settings", {
  sellerId: text("seller_id").primaryKey(),
  /** A Stripe connected account id (acct_…). */
  payoutAccount: text("payout_account"),
  onHold: integer("on_hold", { mode: "boolean" }).notNull().default(false),
  /** Days after delivery before a sale may be paid out (set by an admin). */
  holdDays: integer("hold_days").notNull().default(7),
  payoutSchedule: text("payout_schedule", { enum: ["daily", "weekly", "manual"] })
    .notNull()
    .default("daily"),
  returnWindowDays: integer("return_window_days").notNull().default(30),
  /** Returns worth less than this (minor units) are refunded on approval, without the parcel. */
  refundOnApprovalBelow: integer("refund_on_approval_below"),
  updatedAt: updatedAt(),
});

export const payouts = sqliteTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("usd"),
    status: text("status", { enum: ["pending", "paid", "failed"] }).notNull(),
    transferRef: text("transfer_ref"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("payouts_seller_idx").on(t.sellerId, t.id)],
);

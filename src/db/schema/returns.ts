import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- returns module (src/services/returns.ts) --------------------------------
/**
 * A return (RMA) of some lines of one seller in one order. Lives in the order's own database.
 * `items`: [{ order_item_id, product_id, quantity, unit_amount, condition? }], unit_amount being
 * what the buyer paid for one unit (price less its share of the discount).
 */
export const returns = sqliteTable(
  "returns",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    userId: text("user_id").notNull(),
    sellerId: text("seller_id").notNull(),
    status: text("status", {
      enum: ["requested", "approved", "rejected", "in_transit", "received", "refunded"],
    }).notNull(),
    items: text("items", { mode: "json" })
      .$type<
        {
          order_item_id: string;
          product_id: string;
          variant_id?: string | null;
          quantity: number;
          unit_amount: number;
          condition: "sellable" | "damaged" | null;
        }[]
      >()
      .notNull(),
    reason: text("reason").notNull(),
    note: text("note"),
    label: text("label"),
    trackingNumber: text("tracking_number"),
    /** Set when the return was opened by POST /payments/refunds: the amount the buyer asked for. */
    requestedAmount: integer("requested_amount"),
    refundId: text("refund_id"),
    amount: integer("amount"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("returns_user_idx").on(t.userId, t.id),
    index("returns_seller_idx").on(t.sellerId, t.id),
    index("returns_order_idx").on(t.orderId),
  ],
);

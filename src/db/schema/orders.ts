import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- orders module (src/services/orders.ts, src/services/checkout.ts) -------
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status", {
      enum: ["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"],
    }).notNull(),
    subtotal: integer("subtotal").notNull(),
    discount: integer("discount").notNull(),
    shipping: integer("shipping").notNull().default(0),
    /** Tax added on top of the prices (US-style sales tax); in total_amount. */
    taxTotal: integer("tax_total").notNull().default(0),
    /** Tax contained in the prices (VAT, GST): shown, not added. */
    taxIncluded: integer("tax_included").notNull().default(0),
    /** Where the tax was owed (`US-TX`, `DE`), as the tax provider matched the address; null: untaxed. */
    taxJurisdiction: text("tax_jurisdiction"),
    /** What each seller's shipment costs: `[{ seller_id, option_id, name, amount }]`. */
    shippingLines: text("shipping_lines", { mode: "json" })
      .$type<{ seller_id: string; option_id: string; name: string; amount: number }[]>()
      .notNull()
      .default(sql`'[]'`),
    totalAmount: integer("total_amount").notNull(),
    /** The exchange rate the order was priced at (micro-units of its currency per 1 USD; 1e6 for usd). */
    fxRateMicro: integer("fx_rate_micro").notNull().default(1_000_000),
    /** Paid from store credit; the rest is charged to the payment method. */
    walletAmount: integer("wallet_amount").notNull().default(0),
    currency: text("currency").notNull(),
    couponCodes: text("coupon_codes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    shippingAddress: text("shipping_address", { mode: "json" }).$type<string | Record<string, string>>().notNull(),
    trackingNumber: text("tracking_number"),
    /** Total refunded so far (card and store credit); never above what was paid. */
    refundedAmount: integer("refunded_amount").notNull().default(0),
    /** A payment attempt holds this until the instant; a second concurrent attempt is refused. */
    paymentLockUntil: integer("payment_lock_until"),
    /** When an unpaid order is cancelled (epoch ms); null: the standard unpaid window from created_at. An auction's winner has 48 h. */
    payBy: integer("pay_by"),
    paidAt: text("paid_at"),
    shippedAt: text("shipped_at"),
    deliveredAt: text("delivered_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("orders_user_idx").on(t.userId, t.id), index("orders_status_idx").on(t.status, t.createdAt)],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    productId: text("product_id").notNull(),
    /** The variant sold (null on lines written before variants: the product's default variant). */
    variantId: text("variant_id"),
    /** A copy of the variant's options at the time of the order. */
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    sellerId: text("seller_id").notNull(),
    /** A copy: archived or renamed products do not change past orders. */
    name: text("name").notNull(),
    quantity: integer("quantity").notNull(),
    /** Unit price charged (minor units). */
    price: integer("price").notNull(),
    /** This line's share of the order discount. */
    discount: integer("discount").notNull().default(0),
    /** The line's tax (added on top, or contained in the price where `tax_included`), in the order's currency. */
    tax: integer("tax").notNull().default(0),
    /** Each seller fulfils their own items (a seller sub-order). */
    status: text("status", { enum: ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"] }).notNull(),
    trackingNumber: text("tracking_number"),
    createdAt: createdAt(),
  },
  (t) => [
    index("order_items_order_idx").on(t.orderId),
    index("order_items_seller_idx").on(t.sellerId, t.orderId),
    index("order_items_product_idx").on(t.productId),
  ],
);

/**
 * Who can list an order: its buyer and each seller with items in it. Orders
 * live in the database their id hashes to (src/db/shards.ts); these rows live
 * in the database the owner's id hashes to, so "my orders" and "a seller's
 * orders" read one index, then fetch each order from its own database.
 */
export const orderIndex = sqliteTable(
  "order_index",
  {
    ownerId: text("owner_id").notNull(),
    role: text("role", { enum: ["buyer", "seller"] }).notNull(),
    orderId: text("order_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.role, t.orderId] })],
);

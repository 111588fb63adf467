/**
 * The analytics warehouse (a second D1 database, binding WAREHOUSE): a star
 * schema fed by the events queue, apart from the live database so reports never
 * load it. Facts are keyed by what they record (an order item, a refund, an
 * event id), so a redelivered event counts once.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** One row per order item: the grain of revenue and units. */
export const factOrderItems = sqliteTable(
  "fact_order_items",
  {
    orderItemId: text("order_item_id").primaryKey(),
    orderId: text("order_id").notNull(),
    sellerId: text("seller_id").notNull(),
    productId: text("product_id").notNull(),
    /** The variant sold (null in facts from before variants: the product's default one). */
    variantId: text("variant_id"),
    userId: text("user_id").notNull(),
    quantity: integer("quantity").notNull(),
    /** price * quantity in minor units. */
    revenue: integer("revenue").notNull(),
    /** The order's latest status (the warehouse keeps one current row per item). */
    status: text("status").notNull(),
    /** YYYY-MM-DD (UTC) the order was paid: the date dimension's key. */
    dateKey: text("date_key").notNull(),
    paidAt: text("paid_at").notNull(),
  },
  (t) => [
    index("fact_order_items_seller_idx").on(t.sellerId, t.dateKey),
    index("fact_order_items_product_idx").on(t.productId),
  ],
);

export const factRefunds = sqliteTable(
  "fact_refunds",
  {
    eventId: text("event_id").primaryKey(),
    orderId: text("order_id").notNull(),
    amount: integer("amount").notNull(),
    dateKey: text("date_key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("fact_refunds_order_idx").on(t.orderId)],
);

/**
 * Tax per jurisdiction for the platform's report, in usd: an order's tax when it is paid (keyed
 * `paid:<order>`), and what each refund gave back (keyed by its event, amounts negative).
 */
export const factTax = sqliteTable(
  "fact_tax",
  {
    factId: text("fact_id").primaryKey(),
    orderId: text("order_id").notNull(),
    /** `US-TX`, `DE`; "" when the provider named none. */
    jurisdiction: text("jurisdiction").notNull(),
    /** Sales tax added on top of prices (the platform collects and remits it). */
    added: integer("added").notNull(),
    /** VAT or GST contained in the prices. */
    included: integer("included").notNull(),
    /** The order's currency (amounts here are converted to usd at the order's rate). */
    currency: text("currency").notNull(),
    dateKey: text("date_key").notNull(),
  },
  (t) => [index("fact_tax_jurisdiction_idx").on(t.jurisdiction, t.dateKey)],
);

export const factProductViews = sqliteTable(
  "fact_product_views",
  {
    viewId: text("view_id").primaryKey(),
    productId: text("product_id").notNull(),
    sellerId: text("seller_id").notNull(),
    dateKey: text("date_key").notNull(),
  },
  (t) => [index("fact_product_views_seller_idx").on(t.sellerId, t.dateKey, t.productId)],
);

export const factSearches = sqliteTable("fact_searches", {
  eventId: text("event_id").primaryKey(),
  query: text("query").notNull(),
  hits: integer("hits").notNull(),
  dateKey: text("date_key").notNull(),
});

export const factRegistrations = sqliteTable("fact_registrations", {
  userId: text("user_id").primaryKey(),
  role: text("role").notNull(),
  dateKey: text("date_key").notNull(),
});

/** Product dimension: no PII anywhere in the warehouse, only ids and catalog facts. */
export const dimProducts = sqliteTable(
  "dim_products",
  {
    productId: text("product_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    name: text("name").notNull(),
    categoryId: text("category_id").notNull(),
    brand: text("brand"),
    status: text("status").notNull(),
    stockAvailable: integer("stock_available").notNull(),
    ratingAverage: integer("rating_average", { mode: "number" }).notNull().default(0),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("dim_products_seller_idx").on(t.sellerId, t.stockAvailable)],
);

/** Each variant's options and stock, copied from the catalog with its product (low stock per size). */
export const dimVariants = sqliteTable(
  "dim_variants",
  {
    variantId: text("variant_id").primaryKey(),
    productId: text("product_id").notNull(),
    sellerId: text("seller_id").notNull(),
    options: text("options").notNull().default("{}"),
    status: text("status").notNull(),
    stockAvailable: integer("stock_available").notNull(),
  },
  (t) => [
    index("dim_variants_seller_idx").on(t.sellerId, t.stockAvailable),
    index("dim_variants_product_idx").on(t.productId),
  ],
);

/** Daily rollups, rebuilt by the nightly cron from the facts. */
export const rollupSellerDaily = sqliteTable(
  "rollup_seller_daily",
  {
    sellerId: text("seller_id").notNull(),
    dateKey: text("date_key").notNull(),
    revenue: integer("revenue").notNull(),
    orders: integer("orders").notNull(),
    units: integer("units").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sellerId, t.dateKey] })],
);

/** The furthest status seen per order: events may arrive out of order, facts only move forward. */
export const orderStatus = sqliteTable("order_status", {
  orderId: text("order_id").primaryKey(),
  status: text("status").notNull(),
  rank: integer("rank").notNull(),
});

/** Item-to-item co-occurrence: products bought in the same order (both directions stored). */
export const coPurchases = sqliteTable(
  "co_purchases",
  { productId: text("product_id").notNull(), otherId: text("other_id").notNull(), count: integer("count").notNull() },
  (t) => [primaryKey({ columns: [t.productId, t.otherId] }), index("co_purchases_top_idx").on(t.productId, t.count)],
);

/** Products viewed by the same signed-in user (both directions), a weaker "viewed together" signal. */
export const coViews = sqliteTable(
  "co_views",
  { productId: text("product_id").notNull(), otherId: text("other_id").notNull(), count: integer("count").notNull() },
  (t) => [primaryKey({ columns: [t.productId, t.otherId] }), index("co_views_top_idx").on(t.productId, t.count)],
);

/** A user's recent views (the last few feed co_views). */
export const recentViews = sqliteTable(
  "recent_views",
  { userId: text("user_id").notNull(), productId: text("product_id").notNull(), viewedAt: text("viewed_at").notNull() },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index("recent_views_user_idx").on(t.userId, t.viewedAt)],
);

/** Per-user taste: category and brand scores from purchases (3), wishlists (2) and views (1). */
export const userAffinity = sqliteTable(
  "user_affinity",
  {
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    key: text("key").notNull(),
    score: integer("score").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.key] }), index("user_affinity_top_idx").on(t.userId, t.score)],
);

/** What each user bought (never recommended back to them). */
export const userPurchases = sqliteTable(
  "user_purchases",
  { userId: text("user_id").notNull(), productId: text("product_id").notNull(), at: text("at").notNull() },
  (t) => [primaryKey({ columns: [t.userId, t.productId] })],
);

/**
 * D1 schema (drizzle). Each table belongs to one module, named above it; other
 * modules go through that module's functions, never the table.
 * Timestamps shown to clients are ISO 8601 text; expiry instants used only for
 * comparisons are integer epoch milliseconds.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { TAX_CLASSES } from "../lib/tax-classes";

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
const updatedAt = () => text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

// ---- users module (src/services/users.ts) ----------------------------------
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased; uniqueness is case-insensitive by construction. */
    email: text("email").notNull(),
    username: text("username").notNull(),
    /** Lower-cased username, for case-insensitive uniqueness. */
    usernameKey: text("username_key").notNull(),
    phoneNumber: text("phone_number"),
    role: text("role", { enum: ["buyer", "seller", "admin"] }).notNull(),
    /** `scrypt$N$r$p$salt$hash`: parameters travel with the hash so they can be raised later. */
    passwordHash: text("password_hash").notNull(),
    /** When the address was proven by a mailed token; null until then. */
    emailVerifiedAt: text("email_verified_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), uniqueIndex("users_username_key_uq").on(t.usernameKey)],
);

/**
 * Users live in the database their id hashes to (src/db/shards.ts). An email
 * or username is unique across all of them through this table: one row per
 * `email:<address>` / `username:<name>`, in the database the key hashes to,
 * claimed before the user is written. Login finds the user id here.
 */
export const userKeys = sqliteTable("user_keys", {
  key: text("key").primaryKey(),
  userId: text("user_id").notNull(),
});

// ---- auth module (src/services/auth.ts) -------------------------------------
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** All tokens descended from one login share a family; reuse of a retired one revokes it. */
    familyId: text("family_id").notNull(),
    /** SHA-256 of the secret part; the secret itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when the token was exchanged for a new pair (rotation). */
    usedAt: integer("used_at"),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_user_idx").on(t.userId),
    index("refresh_tokens_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Single-use account tokens sent by email: verify an address, confirm an email change, reset a
 * password. Only the SHA-256 of the token is stored; each lives 15 minutes and is spent once.
 * Lives in the user's own database.
 */
export const accountTokens = sqliteTable(
  "account_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    purpose: text("purpose", { enum: ["verify_email", "change_email", "reset_password"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** For change_email: the address that becomes the user's when confirmed. */
    newEmail: text("new_email"),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_tokens_hash_uq").on(t.tokenHash),
    index("account_tokens_user_idx").on(t.userId, t.purpose),
  ],
);

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
    kind: text("kind", { enum: ["sale", "commission", "refund", "payout", "capture", "shipping", "tax"] }).notNull(),
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

// ---- audit module (src/services/audit.ts) -----------------------------------
/** Admin actions, append-only: nothing updates or deletes a row (the code has no such path). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    /** JSON: what changed (never secrets). */
    details: text("details").notNull().default("{}"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_target_idx").on(t.targetType, t.targetId)],
);

// ---- idempotency (src/middleware/idempotency.ts, src/services/idempotency.ts) ----
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    /** The user id, or `anon:<ip>` for requests without a token. */
    caller: text("caller").notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    bodyHash: text("body_hash").notNull(),
    state: text("state", { enum: ["in_progress", "completed"] }).notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    responseHeaders: text("response_headers"),
    /** A request that crashed mid-way leaves an in-progress row; after this instant a retry may take it over. */
    lockedUntil: integer("locked_until").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.caller, t.key] }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);

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

// ---- catalog module (src/services/catalog/) ---------------------------------
export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    parentId: text("parent_id"),
    /** `''` for roots: SQLite treats NULLs as distinct, so uniqueness needs a non-null key. */
    parentKey: text("parent_key").notNull().default(""),
    /** Materialised path of ids, `/cat_a/cat_b/`: descendants are `path LIKE '/cat_a/%'`. */
    path: text("path").notNull(),
    depth: integer("depth").notNull(),
    /** Reduced or zero-rated as this where a jurisdiction says so (src/lib/tax-classes.ts); null: inherited, else standard. */
    taxClass: text("tax_class", { enum: TAX_CLASSES }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("categories_sibling_name_uq").on(t.parentKey, t.name), index("categories_path_idx").on(t.path)],
);

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    categoryId: text("category_id").notNull(),
    /** Copied from the category at write time so listings by subtree need no join. */
    categoryPath: text("category_path").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    /** Integer minor units. */
    price: integer("price").notNull(),
    /** The reference price a sale is measured against (minor units), when there is one. */
    listPrice: integer("list_price"),
    currency: text("currency").notNull().default("usd"),
    /**
     * Prices the seller set in other currencies (minor units by currency, `{ "eur": 1899 }`): a cart in one
     * of them charges this instead of converting `price`. Variants with a price of their own are converted.
     */
    prices: text("prices", { mode: "json" }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    /** Projection of the inventory Durable Object's `available`; checkout never trusts it. */
    stockAvailable: integer("stock_available").notNull().default(0),
    /** The inventory DO's sequence number of the projected value: older writes never win. */
    stockVersion: integer("stock_version").notNull().default(0),
    /** How many inventory bucket objects share this product's stock (1: its InventoryItem alone); see docs/hot-skus.md. */
    stockBuckets: integer("stock_buckets").notNull().default(1),
    brand: text("brand"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: ["active", "archived"] })
      .notNull()
      .default("active"),
    /** How it is sold: at its price (`fixed`), or to the highest bidder (`auction`: the auctions module holds the terms). */
    listing: text("listing", { enum: ["fixed", "auction"] })
      .notNull()
      .default("fixed"),
    ratingAverage: real("rating_average").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    popularity: integer("popularity").notNull().default(0),
    /** Bumped on every write; search applies an event only if it is newer than what it holds. */
    version: integer("version").notNull().default(1),
    /** Where a seeded product came from (`bestbuy:<n>`, `mrporter:<id>`), for idempotent imports. */
    sourceRef: text("source_ref"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("products_category_list_idx").on(t.status, t.categoryPath, t.id),
    index("products_seller_list_idx").on(t.sellerId, t.status, t.id),
    index("products_status_id_idx").on(t.status, t.id),
    uniqueIndex("products_source_ref_uq").on(t.sourceRef),
  ],
);

// ---- cart module (src/services/cart.ts; the CartObject is the truth) --------
/** Projection of each cart object, for the abandoned-cart job and admin views. */
/**
 * A product's variants (sizes, colours, capacities): each is sold and stocked on its own, its stock
 * held by its own inventory object. Every product has at least one; a product made without variants
 * has one default variant (`var_` + the product id's body, empty options) whose inventory object is
 * the product's own, so stock that existed before variants stays where it was.
 */
export const productVariants = sqliteTable(
  "product_variants",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    sku: text("sku"),
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    /** The options as canonical JSON (sorted names): two variants of one product never share it. */
    optionsKey: text("options_key").notNull().default("{}"),
    /** Overrides the product's price (minor units) when set. */
    price: integer("price"),
    /** Projection of the variant's inventory object, as `products.stock_available` is of the sum. */
    stockAvailable: integer("stock_available").notNull().default(0),
    stockVersion: integer("stock_version").notNull().default(0),
    stockBuckets: integer("stock_buckets").notNull().default(1),
    /** Shipping weight of one unit (weight-band shipping rates); null: not given, counts as 0. */
    weightGrams: integer("weight_grams"),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("product_variants_product_idx").on(t.productId, t.position),
    uniqueIndex("product_variants_options_uq").on(t.productId, t.optionsKey),
    uniqueIndex("product_variants_sku_uq").on(t.productId, t.sku),
  ],
);

/** The attributes a category's products carry (inherited by its subcategories), typed and validated. */
export const categoryAttributes = sqliteTable(
  "category_attributes",
  {
    id: text("id").primaryKey(),
    categoryId: text("category_id").notNull(),
    name: text("name").notNull(),
    type: text("type", { enum: ["enum", "number", "text", "boolean"] }).notNull(),
    values: text("values", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    unit: text("unit"),
    required: integer("required", { mode: "boolean" }).notNull().default(false),
    /** A variant option (size): its value belongs to each variant, not the product. */
    variantOption: integer("variant_option", { mode: "boolean" }).notNull().default(false),
    /** Search offers it as a facet and a filter. */
    facet: integer("facet", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("category_attributes_name_uq").on(t.categoryId, t.name),
    index("category_attributes_facet_idx").on(t.facet),
  ],
);

export const carts = sqliteTable(
  "carts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    itemCount: integer("item_count").notNull(),
    status: text("status").notNull(),
    /** Bumped by every change; a projection write never replaces a newer one. */
    seq: integer("seq").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
    /** The idle period already reminded about (its last_activity_at), so one reminder per idle period. */
    remindedActivityAt: integer("reminded_activity_at"),
  },
  (t) => [index("carts_idle_idx").on(t.status, t.lastActivityAt), index("carts_user_idx").on(t.userId)],
);

// ---- promotions module (src/services/promotions.ts) -------------------------
export const coupons = sqliteTable(
  "coupons",
  {
    id: text("id").primaryKey(),
    /** Upper-cased. */
    code: text("code").notNull(),
    kind: text("kind", { enum: ["percent", "fixed", "free_shipping"] }).notNull(),
    /** Percent (1..100) or minor units, by kind. */
    value: integer("value").notNull(),
    minSubtotal: integer("min_subtotal").notNull().default(0),
    startsAt: text("starts_at"),
    endsAt: text("ends_at"),
    usageLimit: integer("usage_limit"),
    perCustomerLimit: integer("per_customer_limit"),
    timesRedeemed: integer("times_redeemed").notNull().default(0),
    /** Scope: only items of this seller / category subtree count towards and get the discount. */
    sellerId: text("seller_id"),
    categoryId: text("category_id"),
    combinable: integer("combinable", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("coupons_code_uq").on(t.code)],
);

export const couponRedemptions = sqliteTable(
  "coupon_redemptions",
  {
    couponId: text("coupon_id").notNull(),
    orderId: text("order_id").notNull(),
    userId: text("user_id").notNull(),
    amount: integer("amount").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.couponId, t.orderId] }),
    index("coupon_redemptions_user_idx").on(t.couponId, t.userId),
  ],
);

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

// ---- wallet module (src/services/wallet.ts) ---------------------------------
/** Store credit is a ledger: append-only entries; the balance is their sum. */
export const walletEntries = sqliteTable(
  "wallet_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** Signed minor units. */
    amount: integer("amount").notNull(),
    kind: text("kind", { enum: ["refund_credit", "checkout_debit", "checkout_reversal", "admin_credit"] }).notNull(),
    /** What caused it (order or refund id); (kind, ref) is unique so a retried step writes once. */
    ref: text("ref").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("wallet_entries_user_idx").on(t.userId, t.id), uniqueIndex("wallet_entries_ref_uq").on(t.kind, t.ref)],
);

/** Saved payment methods: provider ids only, encrypted with AES-GCM under WALLET_KEY. */
export const walletMethods = sqliteTable(
  "wallet_methods",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** base64url(iv || ciphertext) of the provider id. */
    encryptedRef: text("encrypted_ref").notNull(),
    label: text("label"),
    createdAt: createdAt(),
  },
  (t) => [index("wallet_methods_user_idx").on(t.userId)],
);

// ---- search module (src/services/search/*) ---------------------------------
/** Popular queries for autocomplete: seeded from real shopper queries, grown by searches that found something. */
export const searchQueries = sqliteTable(
  "search_queries",
  {
    /** Lower-cased, single-spaced. */
    query: text("query").primaryKey(),
    popularity: integer("popularity").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index("search_queries_popularity_idx").on(t.popularity)],
);

// ---- reviews module (src/services/reviews.ts) -------------------------------
export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    userId: text("user_id").notNull(),
    rating: integer("rating").notNull(),
    comment: text("comment").notNull(),
    status: text("status", { enum: ["visible", "hidden"] })
      .notNull()
      .default("visible"),
    /** False once the purchase behind it was refunded in full: shown as such, and left out of the rating. */
    verified: integer("verified", { mode: "boolean" }).notNull().default(true),
    helpfulCount: integer("helpful_count").notNull().default(0),
    sellerReply: text("seller_reply"),
    sellerReplyAt: text("seller_reply_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("reviews_one_per_buyer_uq").on(t.productId, t.userId),
    index("reviews_product_idx").on(t.productId, t.status, t.id),
  ],
);

export const reviewVotes = sqliteTable(
  "review_votes",
  { reviewId: text("review_id").notNull(), userId: text("user_id").notNull(), createdAt: createdAt() },
  (t) => [primaryKey({ columns: [t.reviewId, t.userId] })],
);

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

// ---- wishlist module (src/services/wishlist.ts) -----------------------------
export const wishlist = sqliteTable(
  "wishlist",
  {
    userId: text("user_id").notNull(),
    productId: text("product_id").notNull(),
    /** The variant waited for (a size that sold out); null: the product in any variant. */
    variantId: text("variant_id"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index("wishlist_product_idx").on(t.productId)],
);

// ---- shipping and tax module (src/services/shipping.ts, src/services/tax.ts) ---
/** A seller's shipping zones and rates (API.md "Shipping, tax and currency"); no row: free shipping everywhere. */
export const shippingProfiles = sqliteTable("shipping_profiles", {
  sellerId: text("seller_id").primaryKey(),
  zones: text("zones", { mode: "json" }).$type<import("../schemas/shipping").Zone[]>().notNull(),
  updatedAt: updatedAt(),
});

/** Tax rates by jurisdiction: a country, or a region of it (`region` '' for the whole country). */
export const taxRates = sqliteTable(
  "tax_rates",
  {
    country: text("country").notNull(),
    region: text("region").notNull().default(""),
    name: text("name").notNull(),
    /** Basis points: 725 is 7.25%. */
    rateBp: integer("rate_bp").notNull(),
    /** VAT or GST contained in prices (true), or sales tax added on top (false). */
    inclusive: integer("inclusive", { mode: "boolean" }).notNull(),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.region] })],
);

/** Reduced and zero rates by tax class per jurisdiction; a class without a row here pays the standard rate. */
export const taxClassRates = sqliteTable(
  "tax_class_rates",
  {
    country: text("country").notNull(),
    region: text("region").notNull().default(""),
    taxClass: text("tax_class", { enum: TAX_CLASSES }).notNull(),
    /** Basis points (700 is 7%); inclusive or added as the jurisdiction's standard rate is. */
    rateBp: integer("rate_bp").notNull(),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.region, t.taxClass] })],
);

/** Exchange rates for presentment currencies, in micro-units per 1 USD (an admin or the rates job updates them). */
export const fxRates = sqliteTable("fx_rates", {
  currency: text("currency").primaryKey(),
  rateMicro: integer("rate_micro").notNull(),
  source: text("source").notNull(),
  updatedAt: updatedAt(),
});

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

// ---- auctions module (src/services/auctions/) ------------------------------
/**
 * A D1 mirror of each auction, for lists (a seller's auctions, a buyer's) and search. The
 * AuctionObject Durable Object is the truth; it writes here from its own outbox after each change.
 */
export const auctions = sqliteTable(
  "auctions",
  {
    productId: text("product_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    variantId: text("variant_id").notNull(),
    name: text("name").notNull(),
    currency: text("currency").notNull(),
    startPrice: integer("start_price").notNull(),
    reservePrice: integer("reserve_price"),
    buyNowPrice: integer("buy_now_price"),
    endsAt: integer("ends_at").notNull(),
    status: text("status", { enum: ["live", "ended"] })
      .notNull()
      .default("live"),
    /** How it ended: `sold` (a winner met the reserve), `unsold`, `bought_now`. */
    outcome: text("outcome", { enum: ["sold", "unsold", "bought_now"] }),
    currentPrice: integer("current_price").notNull(),
    bidCount: integer("bid_count").notNull().default(0),
    leaderId: text("leader_id"),
    winnerId: text("winner_id"),
    orderId: text("order_id"),
    /** The object's change counter of this copy: an older copy never overwrites a newer one. */
    seq: integer("seq").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("auctions_seller_idx").on(t.sellerId, t.productId),
    index("auctions_status_ends_idx").on(t.status, t.endsAt),
  ],
);

/** Every accepted bid, mirrored from the auction object (maximums stay private: no route shows another's). */
export const auctionBids = sqliteTable(
  "auction_bids",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    bidderId: text("bidder_id").notNull(),
    maxAmount: integer("max_amount").notNull(),
    /** The auction's price just after this bid. */
    priceAfter: integer("price_after").notNull(),
    placedAt: integer("placed_at").notNull(),
  },
  (t) => [
    index("auction_bids_bidder_idx").on(t.bidderId, t.productId),
    index("auction_bids_product_idx").on(t.productId, t.placedAt),
  ],
);

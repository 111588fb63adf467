/**
 * D1 schema (drizzle). Each table belongs to one module, named above it; other
 * modules go through that module's functions, never the table.
 * Timestamps shown to clients are ISO 8601 text; expiry instants used only for
 * comparisons are integer epoch milliseconds.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  text("created_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
const updatedAt = () =>
  text("updated_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), uniqueIndex("users_username_key_uq").on(t.usernameKey)],
);

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
    /** Projection of the inventory Durable Object's `available`; checkout never trusts it. */
    stockAvailable: integer("stock_available").notNull().default(0),
    /** The inventory DO's sequence number of the projected value: older writes never win. */
    stockVersion: integer("stock_version").notNull().default(0),
    brand: text("brand"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: ["active", "archived"] }).notNull().default("active"),
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

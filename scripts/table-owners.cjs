/**
 * Which code owns each database table. A domain's tables are declared in its own schema module
 * (src/db/schema/<domain>.ts; the warehouse's in src/db/analytics/schema.ts) and are read and written
 * only by the files its `owners` pattern matches. Every other module goes through that domain's
 * functions. Two checks hold this, both in `npm run check:deps`:
 * - dependency-cruiser (.dependency-cruiser.cjs): a schema module is imported only by its owners;
 * - scripts/check-tables.mjs: SQL text (FROM, JOIN, INTO, UPDATE) names only the file's own tables.
 * A Durable Object is a shell over its domain and owns what the domain owns. Tables inside a Durable
 * Object's own SQLite storage (src/durable/, and the domain files that run in
 * it) are not D1 tables and are not listed.
 */
const S = (names) => `^src/services/(${names})\\.ts$`;
const F = (folder) => `^src/services/${folder}/`;

module.exports = {
  users: { owners: [S("users|user-directory")] },
  auth: { owners: [S("auth|account-tokens")] },
  returns: { owners: [F("returns")] },
  ledger: { owners: [F("ledger")] },
  audit: { owners: [S("audit")] },
  idempotency: { owners: [S("idempotency")] },
  // The outbox and the consumers' bookkeeping (processed events, dead letters) are the event bus's.
  events: { owners: [S("events"), "^src/queues/"] },
  catalog: { owners: [F("catalog")] },
  cart: { owners: [F("cart"), "^src/durable/cart\\.ts$"] },
  promotions: { owners: [F("promotions")] },
  orders: { owners: [F("orders")] },
  payments: { owners: [F("payments"), S("payment-records")] },
  wallet: { owners: [S("wallet")] },
  search: { owners: [F("search"), "^src/durable/search-shard\\.ts$"] },
  reviews: { owners: [S("reviews|review-moderation")] },
  notifications: { owners: [F("notifications")] },
  wishlist: { owners: [S("wishlist")] },
  shipping: { owners: [S("shipping")] },
  tax: { owners: [F("tax")] },
  fx: { owners: [S("fx|fx-feed")] },
  webhooks: { owners: [S("webhooks")] },
  auctions: { owners: [F("auctions")] },
  // The warehouse (its own D1 database), written by the analytics consumer and read by its reports.
  analytics: { schema: "src/db/analytics/schema.ts", owners: [F("analytics")] },
};

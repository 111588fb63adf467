import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

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

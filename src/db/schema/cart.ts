import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// ---- cart module (src/services/cart.ts; the CartObject is the truth) --------
/** Projection of each cart object, for the abandoned-cart job and admin views. */
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

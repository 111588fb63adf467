import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

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

import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { updatedAt } from "./columns";

// ---- shipping and tax module (src/services/shipping.ts, src/services/tax.ts) ---
/** A seller's shipping zones and rates (API.md "Shipping, tax and currency"); no row: free shipping everywhere. */
export const shippingProfiles = sqliteTable("shipping_profiles", {
  sellerId: text("seller_id").primaryKey(),
  zones: text("zones", { mode: "json" }).$type<import("../../schemas/shipping").Zone[]>().notNull(),
  updatedAt: updatedAt(),
});

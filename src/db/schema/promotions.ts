import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

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

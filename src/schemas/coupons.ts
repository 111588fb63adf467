import { z } from "@hono/zod-openapi";
import { CategoryId, Money, UserId } from "./catalog";

/** Coupons' bodies and shape (API.md "Coupons"). */

// ---- coupons ------------------------------------------------------------------------
const IsoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const CreateCouponBody = z
  .strictObject({
    code: z
      .string()
      .trim()
      .min(3)
      .max(32)
      .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-'"),
    kind: z.enum(["percent", "fixed", "free_shipping"]),
    value: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .default(0)
      .openapi({ description: "Percent (1..100) or minor units" }),
    min_subtotal: Money.optional(),
    starts_at: IsoDate.nullable().optional(),
    ends_at: IsoDate.nullable().optional(),
    usage_limit: z.number().int().min(1).max(10_000_000).nullable().optional(),
    per_customer_limit: z.number().int().min(1).max(1000).nullable().optional(),
    seller_id: UserId.nullable().optional(),
    category_id: CategoryId.nullable().optional(),
    combinable: z.boolean().optional(),
  })
  .openapi("CreateCouponRequest");

export const CouponSchema = z
  .object({
    coupon_id: z.string(),
    code: z.string(),
    kind: z.string(),
    value: z.number().int(),
    min_subtotal: z.number().int(),
    starts_at: z.string().nullable(),
    ends_at: z.string().nullable(),
    usage_limit: z.number().int().nullable(),
    per_customer_limit: z.number().int().nullable(),
    times_redeemed: z.number().int(),
    seller_id: z.string().nullable(),
    category_id: z.string().nullable(),
    combinable: z.boolean(),
    active: z.boolean(),
    created_at: z.string(),
  })
  .openapi("Coupon");

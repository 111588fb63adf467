import { z } from "@hono/zod-openapi";
import { ProductId } from "./catalog";
import { LineVariant } from "./commerce-ids";

/** The cart's bodies and shape (API.md "Cart"). */

export const CartAddBody = z
  .strictObject({ product_id: ProductId, variant_id: LineVariant, quantity: z.number().int().min(1).max(99) })
  .openapi("CartAddRequest");

export const CartRemoveBody = z
  .strictObject({
    product_id: ProductId,
    variant_id: LineVariant,
    quantity: z.number().int().min(1).max(99).optional().openapi({ description: "Omit to remove the line" }),
  })
  .openapi("CartRemoveRequest");

export const CartCouponBody = z.strictObject({ code: z.string().trim().min(1).max(40) }).openapi("CartCouponRequest");

const AppliedCoupon = z.object({
  code: z.string(),
  kind: z.string(),
  value: z.number().int(),
  amount: z.number().int(),
  combinable: z.boolean(),
});

export const CartSchema = z
  .object({
    cart_id: z.string(),
    user_id: z.string().nullable(),
    status: z.enum(["active", "abandoned"]),
    items: z.array(
      z.object({
        cart_item_id: z.string(),
        product_id: z.string(),
        variant_id: z.string(),
        options: z.record(z.string(), z.string()),
        name: z.string().nullable(),
        quantity: z.number().int(),
        price_when_added: z.number().int(),
        price: z.number().int().openapi({ description: "Current price; checkout charges this" }),
        price_changed: z.boolean(),
        line_total: z.number().int(),
        tax: z.number().int().openapi({ description: "The line's tax at the shipping address (0 until one is known)" }),
        available: z.boolean(),
      }),
    ),
    coupon: AppliedCoupon.nullable(),
    coupons: z.array(AppliedCoupon),
    coupon_warnings: z.array(z.object({ code: z.string(), reason: z.string() })),
    subtotal: z.number().int(),
    discount: z.number().int(),
    shipping_address: z.record(z.string(), z.string()).nullable(),
    shipping_options: z.array(
      z.object({
        seller_id: z.string(),
        selected: z.string().openapi({ description: "The chosen option_id (the cheapest unless the buyer chose)" }),
        options: z.array(
          z.object({
            option_id: z.string(),
            name: z.string(),
            amount: z.number().int(),
            min_days: z.number().int().nullable(),
            max_days: z.number().int().nullable(),
          }),
        ),
      }),
    ),
    shipping_total: z.number().int(),
    tax_total: z.number().int().openapi({ description: "Sales tax added on top of the prices" }),
    tax_included: z.number().int().openapi({ description: "VAT or GST contained in the prices" }),
    total: z.number().int().openapi({ description: "subtotal − discount + shipping_total + tax_total" }),
    currency: z.string(),
    price_changes: z.boolean(),
    updated_at: z.string(),
  })
  .openapi("Cart");

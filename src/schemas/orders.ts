import { z } from "@hono/zod-openapi";
import { NextActionSchema, OrderId, PaymentMethod, ReturnUrl, SavedMethodId } from "./commerce-ids";

/** Orders' bodies and shape (API.md "Orders"). */

// ---- orders ---------------------------------------------------------------------------
/**
 * API.md leaves the address's shape open, so any of the usual forms is taken:
 * one line of text, or an object of text fields (name, line1, city, postal_code,
 * country, …). It is stored and returned as given.
 */
const ShippingAddress = z
  .union([
    z.string().trim().min(1).max(500),
    z
      .record(z.string().min(1).max(40), z.string().max(200))
      .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= 20, "1 to 20 fields"),
  ])
  .openapi("ShippingAddress", {
    example: {
      name: "Ada Lovelace",
      line1: "12 St James's Sq",
      city: "London",
      postal_code: "SW1Y 4JH",
      country: "GB",
    },
  });

export const CreateOrderBody = z
  .strictObject({
    payment_method: PaymentMethod.optional(),
    payment_method_id: SavedMethodId.optional(),
    shipping_address: ShippingAddress,
    use_wallet: z.boolean().optional().openapi({ description: "Spend store credit first" }),
    return_url: ReturnUrl.optional().openapi({
      description:
        "Where a method that redirects (a bank, a wallet, PayPal) brings the buyer back; the order stays pending_payment with the payment's next_action until then",
    }),
    expected_total: z.number().int().min(0).optional().openapi({
      description:
        "The cart total the buyer was shown (minor units). When the price has changed since, the answer is 409 price_changed and nothing is held or charged.",
    }),
  })
  .refine((b) => b.payment_method || b.payment_method_id, {
    message: "payment_method is required",
    path: ["payment_method"],
  })
  .openapi("CreateOrderRequest");

export const OrderStatusBody = z
  .strictObject({
    status: z.enum(["shipped", "delivered", "cancelled"]),
    tracking_number: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("OrderStatusRequest");

export const OrderIdParam = z.object({ order_id: OrderId.openapi({ param: { name: "order_id", in: "path" } }) });

export const OrderSchema = z
  .object({
    order_id: z.string(),
    user_id: z.string(),
    status: z.enum(["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"]),
    items: z.array(
      z.object({
        order_item_id: z.string(),
        product_id: z.string(),
        variant_id: z.string(),
        options: z.record(z.string(), z.string()),
        seller_id: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        price: z.number().int(),
        discount: z.number().int(),
        tax: z.number().int().openapi({
          description: "The line's tax: added (in `tax_total`) or contained in its price (in `tax_included`)",
        }),
        status: z.string(),
        capture_state: z.enum(["authorized", "captured", "released"]).nullable().openapi({
          description:
            "The line's money under the order's card payment: authorised at checkout, captured when its seller ships, released when cancelled unshipped (null: not paid by card yet)",
        }),
        tracking_number: z.string().nullable(),
      }),
    ),
    subtotal: z.number().int(),
    discount: z.number().int(),
    shipping: z.number().int(),
    shipping_total: z.number().int(),
    shipping_lines: z.array(
      z.object({ seller_id: z.string(), option_id: z.string(), name: z.string(), amount: z.number().int() }),
    ),
    tax_total: z.number().int().openapi({ description: "Sales tax added on top of the prices" }),
    tax_included: z.number().int().openapi({ description: "VAT or GST contained in the prices" }),
    total_amount: z.number().int().openapi({ description: "subtotal − discount + shipping_total + tax_total" }),
    wallet_amount: z.number().int(),
    refunded_amount: z.number().int(),
    currency: z.string(),
    coupon_codes: z.array(z.string()),
    shipping_address: z.union([z.string(), z.record(z.string(), z.string())]),
    tracking_number: z.string().nullable(),
    payment: z
      .object({
        payment_id: z.string(),
        status: z.string(),
        amount: z.number().int(),
        capture_method: z.enum(["automatic", "manual"]),
        captured_amount: z.number().int().openapi({ description: "Of `amount`, what has been captured" }),
        released_amount: z.number().int().openapi({ description: "Of `amount`, what was let go uncaptured" }),
        transaction_ref: z.string().nullable(),
        client_secret: z.string().nullable().optional(),
        next_action: NextActionSchema,
      })
      .nullable(),
    paid_at: z.string().nullable(),
    shipped_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Order");

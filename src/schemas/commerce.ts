import { z } from "@hono/zod-openapi";
import { VariantId } from "./attributes";
import { CategoryId, Money, ProductId, UserId } from "./catalog";

const OrderId = z
  .string()
  .max(64)
  .regex(/^ord_[0-9A-Za-z]+$/, "must be an ord_ id")
  .openapi({ example: "ord_01JD0000000000000000000000" });
const PaymentMethod = z
  .string()
  .min(3)
  .max(100)
  .regex(/^pm_[A-Za-z0-9_]+$/, "payment_method is a provider id such as pm_card_visa (never card numbers)")
  .openapi({ example: "pm_card_visa" });
const SavedMethodId = z
  .string()
  .regex(/^wpm_[0-9A-Za-z]+$/)
  .openapi({ description: "A saved payment method from the wallet" });

// ---- cart -------------------------------------------------------------------------
const LineVariant = VariantId.optional().openapi({
  description: "Which variant; required when the product has more than one (the 400 lists them)",
});
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
        transaction_ref: z.string().nullable(),
        client_secret: z.string().nullable().optional(),
      })
      .nullable(),
    paid_at: z.string().nullable(),
    shipped_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Order");

// ---- payments ---------------------------------------------------------------------------
export const PayBody = z
  .strictObject({
    order_id: OrderId,
    payment_method: PaymentMethod.optional(),
    payment_method_id: SavedMethodId.optional(),
  })
  .refine((b) => b.payment_method || b.payment_method_id, {
    message: "payment_method is required",
    path: ["payment_method"],
  })
  .openapi("PayRequest");

export const PaymentSchema = z
  .object({
    payment_id: z.string(),
    order_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.string(),
    provider: z.string(),
    transaction_ref: z.string().nullable(),
    failure_code: z.string().nullable(),
    client_secret: z.string().nullable().optional(),
    created_at: z.string(),
  })
  .openapi("Payment");

export const RefundBody = z
  .strictObject({
    order_id: OrderId,
    amount: z
      .number()
      .int()
      .min(1)
      .max(10_000_000_000)
      .optional()
      .openapi({ description: "Default: what is left to refund" }),
    reason: z.string().trim().min(1).max(500),
    to_wallet: z.boolean().optional().openapi({ description: "Refund as store credit instead of to the card" }),
  })
  .openapi("RefundRequest");

export const RefundSchema = z
  .object({
    refund_id: z.string(),
    order_id: z.string(),
    payment_id: z.string().nullable(),
    user_id: z.string(),
    amount: z.number().int(),
    wallet_amount: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    status: z.string(),
    transaction_ref: z.string().nullable(),
    return_id: z
      .string()
      .optional()
      .openapi({ description: "Set when the refund waits for a return (`status: pending`)" }),
    created_at: z.string(),
  })
  .openapi("Refund");

// ---- wallet -------------------------------------------------------------------------------
export const SaveMethodBody = z
  .strictObject({
    payment_method: z
      .string()
      .regex(/^(pm|cus|card|src)_[A-Za-z0-9_]+$/, "a provider id (pm_…, cus_…); never a card number")
      .max(100),
    label: z.string().trim().max(60).optional(),
  })
  .openapi("SavePaymentMethodRequest");
export const SavedMethodSchema = z
  .object({ payment_method_id: z.string(), label: z.string().nullable(), display: z.string(), created_at: z.string() })
  .openapi("SavedPaymentMethod");
export const WalletSchema = z
  .object({ balance: z.number().int(), currency: z.string(), payment_methods: z.array(SavedMethodSchema) })
  .openapi("Wallet");
export const WalletEntrySchema = z
  .object({ entry_id: z.string(), amount: z.number().int(), kind: z.string(), ref: z.string(), created_at: z.string() })
  .openapi("WalletEntry");
export const WalletCreditBody = z
  .strictObject({
    user_id: UserId,
    amount: z.number().int().min(1).max(100_000_000),
    reason: z.string().trim().min(1).max(200),
  })
  .openapi("WalletCreditRequest");

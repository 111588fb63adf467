import { z } from "@hono/zod-openapi";
import { UserId } from "./catalog";
import { NextActionSchema, OrderId, PaymentMethod, ReturnUrl, SavedMethodId } from "./commerce-ids";

/** Payments, refunds, saved methods and the wallet: bodies and shapes (API.md "Payments"). */

// ---- payments ---------------------------------------------------------------------------
export const PayBody = z
  .strictObject({
    order_id: OrderId,
    payment_method: PaymentMethod.optional(),
    payment_method_id: SavedMethodId.optional(),
    return_url: ReturnUrl.optional().openapi({
      description: "Needed by methods that redirect (a bank, a wallet, PayPal)",
    }),
  })
  .refine((b) => b.payment_method || b.payment_method_id, {
    message: "payment_method is required",
    path: ["payment_method"],
  })
  .openapi("PayRequest");

export const PaymentReturnBody = z.strictObject({ order_id: OrderId }).openapi("PaymentReturn");

export const PaymentSchema = z
  .object({
    payment_id: z.string(),
    order_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.string(),
    provider: z.string(),
    capture_method: z.enum(["automatic", "manual"]),
    captured_amount: z.number().int(),
    released_amount: z.number().int(),
    transaction_ref: z.string().nullable(),
    failure_code: z.string().nullable(),
    client_secret: z.string().nullable().optional(),
    next_action: NextActionSchema,
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
  .object({
    payment_method_id: z.string(),
    label: z.string().nullable(),
    display: z.string(),
    card: z
      .object({
        brand: z.string(),
        last4: z.string(),
        exp_month: z.number().int().nullable(),
        exp_year: z.number().int().nullable(),
      })
      .nullable(),
    created_at: z.string(),
  })
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

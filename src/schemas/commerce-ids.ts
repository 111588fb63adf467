import { z } from "@hono/zod-openapi";
import { VariantId } from "./attributes";

/** Ids and method references the cart, order and payment schemas share. */

export const OrderId = z
  .string()
  .max(64)
  .regex(/^ord_[0-9A-Za-z]+$/, "must be an ord_ id")
  .openapi({ example: "ord_01JD0000000000000000000000" });

export const PaymentMethod = z
  .string()
  .min(3)
  .max(100)
  .regex(/^pm_[A-Za-z0-9_]+$/, "payment_method is a provider id such as pm_card_visa (never card numbers)")
  .openapi({ example: "pm_card_visa" });

export const SavedMethodId = z
  .string()
  .regex(/^wpm_[0-9A-Za-z]+$/)
  .openapi({ description: "A saved payment method from the wallet" });

// ---- cart -------------------------------------------------------------------------
export const LineVariant = VariantId.optional().openapi({
  description: "Which variant; required when the product has more than one (the 400 lists them)",
});

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
  .regex(
    /^(pm_[A-Za-z0-9_]+|paypal)$/,
    "payment_method is a provider id such as pm_card_visa (never card numbers), or paypal",
  )
  .openapi({ example: "pm_card_visa", description: "A Stripe PaymentMethod id, or `paypal` (with a return_url)" });

export const SavedMethodId = z
  .string()
  .regex(/^wpm_[0-9A-Za-z]+$/)
  .openapi({ description: "A saved payment method from the wallet" });

// ---- cart -------------------------------------------------------------------------
export const LineVariant = VariantId.optional().openapi({
  description: "Which variant; required when the product has more than one (the 400 lists them)",
});

/** Where a redirect payment method brings the buyer back: https, or http on this machine (development). */
export const ReturnUrl = z
  .string()
  .max(2000)
  .refine((u) => {
    try {
      const url = new URL(u);
      return (
        url.protocol === "https:" ||
        (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
      );
    } catch {
      return false;
    }
  }, "return_url is an https URL (http only on 127.0.0.1 or localhost)")
  .openapi({ example: "https://shop.example/checkout/return" });

export const NextActionSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("redirect_to_url"), url: z.string() }),
    z.object({ type: z.literal("use_stripe_sdk"), client_secret: z.string() }),
  ])
  .nullable()
  .optional()
  .openapi("NextAction", {
    description:
      "What the buyer does to finish a pending payment: follow `url` (a bank, a wallet, PayPal; it comes back to the checkout's `return_url`, then POST /payments/return), or confirm with Stripe.js and the client secret (3-D Secure, an app)",
  });

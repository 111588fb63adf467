import { StripePaymentProvider } from "./stripe-provider";
import { TestPaymentProvider } from "./test-provider";
import { PayPalPaymentProvider } from "./paypal-provider";
import { ApiError } from "../../lib/errors";
import type { PaymentProvider } from "./provider";
import { config } from "../../lib/config";
import { setTestSeam, testSeam } from "../../lib/test-seams";

export * from "./provider";

/** Tests: a provider that replaces the configured one (fault injection; through the one test seam). */
export function overridePaymentProvider(p: PaymentProvider | null): void {
  setTestSeam("payment-provider", p);
}

/**
 * The provider for a payment: by the provider named on its row, or `paypal` for PayPal at
 * checkout; anything else goes to the configured one (Stripe, or the test provider, which also
 * stands in for PayPal locally).
 */
export function paymentProvider(
  env: Pick<
    Env,
    | "PAYMENT_PROVIDER"
    | "STRIPE_SECRET_KEY"
    | "STRIPE_API_BASE"
    | "PAYPAL_CLIENT_ID"
    | "PAYPAL_CLIENT_SECRET"
    | "PAYPAL_API_BASE"
  >,
  name?: string,
): PaymentProvider {
  const override = testSeam<PaymentProvider>("payment-provider");
  if (override) return override;
  if (config(env).paymentProvider === "test") return new TestPaymentProvider();
  if (name === "paypal") {
    if (!env.PAYPAL_CLIENT_ID || !env.PAYPAL_CLIENT_SECRET)
      throw new ApiError("validation_failed", "PayPal is not offered by this store", {
        details: [{ field: "payment_method", code: "unsupported", message: "PAYPAL_CLIENT_ID is not set" }],
      });
    return new PayPalPaymentProvider(
      env.PAYPAL_CLIENT_ID,
      env.PAYPAL_CLIENT_SECRET,
      env.PAYPAL_API_BASE || "https://api-m.paypal.com",
    );
  }
  if (!env.STRIPE_SECRET_KEY) throw new Error("PAYMENT_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  return new StripePaymentProvider(env.STRIPE_SECRET_KEY, env.STRIPE_API_BASE);
}

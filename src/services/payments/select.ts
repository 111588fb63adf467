import { StripePaymentProvider } from "./stripe-provider";
import { TestPaymentProvider } from "./test-provider";
import type { PaymentProvider } from "./provider";
import { config } from "../../lib/config";
import { setTestSeam, testSeam } from "../../lib/test-seams";

export * from "./provider";

/** Tests: a provider that replaces the configured one (fault injection; through the one test seam). */
export function overridePaymentProvider(p: PaymentProvider | null): void {
  setTestSeam("payment-provider", p);
}

export function paymentProvider(
  env: Pick<Env, "PAYMENT_PROVIDER" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">,
): PaymentProvider {
  const override = testSeam<PaymentProvider>("payment-provider");
  if (override) return override;
  if (config(env).paymentProvider === "test") return new TestPaymentProvider();
  if (!env.STRIPE_SECRET_KEY) throw new Error("PAYMENT_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  return new StripePaymentProvider(env.STRIPE_SECRET_KEY, env.STRIPE_API_BASE);
}

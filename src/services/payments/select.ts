import { StripePaymentProvider } from "./stripe-provider";
import { TestPaymentProvider } from "./test-provider";
import type { PaymentProvider } from "./provider";

export * from "./provider";

/** Test hook: a provider that replaces the configured one (fault injection in tests and the reliability suite). */
let override: PaymentProvider | null = null;
export function overridePaymentProvider(p: PaymentProvider | null): void {
  override = p;
}

export function paymentProvider(
  env: Pick<Env, "PAYMENT_PROVIDER" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">,
): PaymentProvider {
  if (override) return override;
  if (env.PAYMENT_PROVIDER === "test") return new TestPaymentProvider();
  if (!env.STRIPE_SECRET_KEY) throw new Error("PAYMENT_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  return new StripePaymentProvider(env.STRIPE_SECRET_KEY, env.STRIPE_API_BASE);
}

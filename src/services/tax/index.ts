import { config, parseTaxCodes } from "../../lib/config";
import type { TaxProvider } from "./provider";
import { StripeTaxProvider } from "./stripe";
import { tableTax } from "./table";

export type { TaxProvider, TaxQuote } from "./provider";
export { tableTax } from "./table";
export { StripeTaxProvider } from "./stripe";

/** The configured provider, built once per isolate and configuration (the Stripe client is not free to make). */
let built: { key: string; provider: TaxProvider } | null = null;

/**
 * `TAX_PROVIDER`: "table" (the rate table in D1, the default) or "stripe" (Stripe Tax's
 * calculations, with the table answering when Stripe cannot). `STRIPE_TAX_CODES` maps tax
 * classes to Stripe's product tax codes.
 */
export function taxProvider(
  env: Partial<Pick<Env, "TAX_PROVIDER" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE" | "STRIPE_TAX_CODES">>,
): TaxProvider {
  const c = config(env);
  if (c.taxProvider !== "stripe") return tableTax;
  if (!env.STRIPE_SECRET_KEY) throw new Error("TAX_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  const key = `${c.stripeApiBase}|${c.stripeTaxCodes}|${env.STRIPE_SECRET_KEY.slice(-8)}`;
  if (built?.key !== key) {
    built = {
      key,
      provider: new StripeTaxProvider(env.STRIPE_SECRET_KEY, tableTax, {
        apiBase: c.stripeApiBase,
        codes: parseTaxCodes(c.stripeTaxCodes),
      }),
    };
  }
  return built.provider;
}

import type { TaxProvider } from "./provider";
import { StripeTaxProvider } from "./stripe";
import { tableTax } from "./table";

export type { TaxAddress, TaxLine, TaxProvider, TaxQuote } from "./provider";
export { ofBasisPoints, tableTax } from "./table";
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
  if (env.TAX_PROVIDER !== "stripe") return tableTax;
  if (!env.STRIPE_SECRET_KEY) throw new Error("TAX_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  const key = `${env.STRIPE_API_BASE}|${env.STRIPE_TAX_CODES ?? ""}|${env.STRIPE_SECRET_KEY.slice(-8)}`;
  if (built?.key !== key) {
    built = {
      key,
      provider: new StripeTaxProvider(env.STRIPE_SECRET_KEY, tableTax, {
        apiBase: env.STRIPE_API_BASE,
        codes: parseCodes(env.STRIPE_TAX_CODES),
      }),
    };
  }
  return built.provider;
}

function parseCodes(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (
    !parsed ||
    typeof parsed !== "object" ||
    Object.values(parsed).some((v) => typeof v !== "string" || !/^txcd_\d{8}$/.test(v))
  ) {
    throw new Error('STRIPE_TAX_CODES must be JSON like { "food": "txcd_12345678" }');
  }
  return parsed as Record<string, string>;
}

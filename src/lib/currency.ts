/**
 * Presentment currencies: a cart is priced in the store's base currency (usd) and shown and
 * charged in the shopper's. Conversion is integer arithmetic on minor units with an exchange
 * rate in millionths (micro-units of the currency per 1 USD), rounded half up to the target
 * currency's minor units (JPY has none: 1 yen is its smallest amount). No float ever holds money.
 */

/** ISO 4217 minor units of the currencies the store presents in. */
export const MINOR_UNITS = { usd: 2, eur: 2, gbp: 2, jpy: 0, cad: 2, aud: 2, chf: 2 } as const;
export type PresentmentCurrency = keyof typeof MINOR_UNITS;
export const BASE_CURRENCY: PresentmentCurrency = "usd";
export const USD_RATE_MICRO = 1_000_000;

/** The currency a shopper in a country sees by default (their cart's, until they choose another). */
const COUNTRY_CURRENCY: Record<string, PresentmentCurrency> = {
  US: "usd",
  DE: "eur",
  FR: "eur",
  NL: "eur",
  IT: "eur",
  ES: "eur",
  AT: "eur",
  BE: "eur",
  IE: "eur",
  FI: "eur",
  PT: "eur",
  LU: "eur",
  GR: "eur",
  GB: "gbp",
  JP: "jpy",
  CA: "cad",
  AU: "aud",
  CH: "chf",
  LI: "chf",
};

export function currencyOfCountry(country: string | undefined | null): PresentmentCurrency | null {
  return country ? (COUNTRY_CURRENCY[country.toUpperCase()] ?? null) : null;
}

export function isPresentmentCurrency(c: string): c is PresentmentCurrency {
  return Object.hasOwn(MINOR_UNITS, c);
}

function divideHalfUp(n: bigint, d: bigint): number {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + d) / (2n * d);
  return Number(neg ? -q : q);
}

/** `cents` (USD) in `currency`'s minor units at `rateMicro` (micro-units of the currency per 1 USD). */
export function fromUsd(cents: number, currency: PresentmentCurrency, rateMicro: number): number {
  if (currency === BASE_CURRENCY) return cents;
  // cents / 100 USD × rate / 1e6 = major units; × 10^minor = minor units.
  return divideHalfUp(BigInt(cents) * BigInt(rateMicro) * 10n ** BigInt(MINOR_UNITS[currency]), 100n * 1_000_000n);
}

/** The reverse: an amount in `currency`'s minor units back in USD cents (the ledger's settlement currency). */
export function toUsd(amount: number, currency: string, rateMicro: number): number {
  if (currency === BASE_CURRENCY || !isPresentmentCurrency(currency)) return amount;
  return divideHalfUp(BigInt(amount) * 100n * 1_000_000n, BigInt(rateMicro) * 10n ** BigInt(MINOR_UNITS[currency]));
}

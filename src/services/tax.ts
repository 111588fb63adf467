import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "../db/client";
import { taxRates } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";

/**
 * Tax: owns `tax_rates`. A provider answers what a cart's lines owe at an address; the one here
 * reads the rate table (a region's rate, else the country's). Sales tax is added on top of the
 * prices; VAT and GST are contained in them (shown as `tax_included`, not added again).
 * Tax is charged on goods after discounts, not on shipping.
 */

export interface TaxLine {
  key: string;
  /** What the line costs after its discount, minor units. */
  amount: number;
}

export interface TaxQuote {
  /** Added to the total. */
  added: number;
  /** Contained in the prices. */
  included: number;
  lines: Record<string, number>;
  jurisdiction: string | null;
}

export interface TaxProvider {
  quote(env: Pick<Env, "DB">, address: { country: string; region?: string }, lines: TaxLine[]): Promise<TaxQuote>;
}

type RateRow = typeof taxRates.$inferSelect;
/** The table changes with legislation, not by the minute: a minute per isolate. */
const rateCache = new TtlCache<RateRow | null>(60_000, 500);

async function rateFor(env: Pick<Env, "DB">, country: string, region?: string): Promise<RateRow | null> {
  const key = `${country}|${region ?? ""}`;
  const hit = rateCache.get(key);
  if (hit !== undefined) return hit;
  const rows = await getDb(env)
    .select()
    .from(taxRates)
    .where(and(eq(taxRates.country, country), inArray(taxRates.region, region ? [region.toUpperCase(), ""] : [""])))
    .all();
  const row = rows.find((r) => r.region !== "") ?? rows[0] ?? null;
  rateCache.set(key, row);
  return row;
}

/** Integer rounding half up of n * bp / 10,000 (no floats: money is integer minor units). */
export function ofBasisPoints(n: number, bp: number): number {
  return Math.floor((n * bp + 5_000) / 10_000);
}

export const tableTax: TaxProvider = {
  async quote(env, address, lines) {
    const rate = await rateFor(env, address.country.toUpperCase(), address.region);
    const out: TaxQuote = { added: 0, included: 0, lines: {}, jurisdiction: rate ? `${rate.country}${rate.region ? `-${rate.region}` : ""}` : null };
    if (!rate) return out;
    for (const l of lines) {
      // Inclusive: the tax inside a gross amount is gross * r / (1 + r), rounded half up.
      const tax = rate.inclusive ? Math.floor((l.amount * rate.rateBp * 2 + (10_000 + rate.rateBp)) / (2 * (10_000 + rate.rateBp))) : ofBasisPoints(l.amount, rate.rateBp);
      out.lines[l.key] = tax;
      if (rate.inclusive) out.included += tax;
      else out.added += tax;
    }
    return out;
  },
};

export function taxProvider(): TaxProvider {
  return tableTax;
}

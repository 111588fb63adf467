import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { taxClassRates, taxRates } from "../../db/schema/tax";
import { TtlCache } from "../../lib/ttl-cache";
import type { TaxProvider, TaxQuote } from "./provider";

/**
 * The rate-table adapter: owns `tax_rates` and `tax_class_rates`. It
 * reads the rate table (a region's rate, else the country's). Sales tax is added on top of the
 * prices; VAT and GST are contained in them (shown as `tax_included`, not added again).
 * Tax is charged on goods after discounts, not on shipping. A line of a category with a tax class
 * (books, food…) pays the jurisdiction's rate for that class where it has one (GB books: 0%, DE
 * food: 7%), else the standard rate.
 */

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

/** A jurisdiction's class rates (the region's, else the country's), cached like the standard rate. */
const classCache = new TtlCache<Map<string, number>>(60_000, 500);

async function classRatesFor(env: Pick<Env, "DB">, country: string, region?: string): Promise<Map<string, number>> {
  const key = `${country}|${region ?? ""}`;
  const hit = classCache.get(key);
  if (hit) return hit;
  const rows = await getDb(env)
    .select()
    .from(taxClassRates)
    .where(
      and(
        eq(taxClassRates.country, country),
        inArray(taxClassRates.region, region ? [region.toUpperCase(), ""] : [""]),
      ),
    )
    .all();
  // The region's row for a class wins over the country's.
  const out = new Map<string, number>();
  for (const r of [...rows].sort((a, b) => (a.region === "" ? -1 : 1) - (b.region === "" ? -1 : 1)))
    out.set(r.taxClass, r.rateBp);
  classCache.set(key, out);
  return out;
}

/** Integer rounding half up of n * bp / 10,000 (no floats: money is integer minor units). */
function ofBasisPoints(n: number, bp: number): number {
  return Math.floor((n * bp + 5_000) / 10_000);
}

export const tableTax: TaxProvider = {
  async quote(env, address, lines) {
    const rate = await rateFor(env, address.country.toUpperCase(), address.region);
    const out: TaxQuote = {
      added: 0,
      included: 0,
      lines: {},
      jurisdiction: rate ? `${rate.country}${rate.region ? `-${rate.region}` : ""}` : null,
    };
    if (!rate) return out;
    const classes = lines.some((l) => l.taxClass)
      ? await classRatesFor(env, address.country.toUpperCase(), address.region)
      : new Map<string, number>();
    for (const l of lines) {
      const bp = (l.taxClass ? classes.get(l.taxClass) : undefined) ?? rate.rateBp;
      // Inclusive: the tax inside a gross amount is gross * r / (1 + r), rounded half up.
      const tax = rate.inclusive
        ? Math.floor((l.amount * bp * 2 + (10_000 + bp)) / (2 * (10_000 + bp)))
        : ofBasisPoints(l.amount, bp);
      out.lines[l.key] = tax;
      if (rate.inclusive) out.included += tax;
      else out.added += tax;
    }
    return out;
  },
};

import type Stripe from "stripe";
import { stripeClient } from "../../lib/stripe-client";
import { log, errorFields } from "../../lib/logger";
import { TtlCache } from "../../lib/ttl-cache";
import type { TaxClass } from "../../lib/tax-classes";
import type { TaxAddress, TaxLine, TaxProvider, TaxQuote } from "./provider";

/**
 * Countries whose consumer prices contain their VAT or GST by law or custom (the EU, the UK and
 * EFTA, Japan, Australia, New Zealand…): their lines go to Stripe Tax as `inclusive`, every other
 * country's as `exclusive` (tax added on top, as US sales tax is). The rate table marks the same.
 */
const PRICES_INCLUDE_TAX = new Set(
  "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK GB NO CH IS LI JP AU NZ SG ZA IN KR".split(
    " ",
  ),
);

/**
 * Stripe's product tax codes (docs.stripe.com/tax/tax-categories). General tangible goods and
 * physical books are known; food and children's clothing differ by how a store sells them, so
 * their codes are set by the operator (`STRIPE_TAX_CODES`, JSON `{ "food": "txcd_…" }`) and until
 * then go as general goods.
 */
const DEFAULT_TAX_CODES: Partial<Record<TaxClass | "general", string>> = {
  general: "txcd_99999999",
  books: "txcd_35010000",
};

/** A cart's tax does not change between two views a minute apart: one calculation per cart state and address. */
const quotes = new TtlCache<TaxQuote>(60_000, 2_000);

export class StripeTaxProvider implements TaxProvider {
  readonly name = "stripe";
  private readonly stripe: Stripe;
  private readonly codes: Partial<Record<string, string>>;

  /**
   * `fallback` answers when Stripe cannot (an outage, a timeout): a checkout is not refused
   * because the tax service is down, and the log says which answer was used.
   * `fetchFn` lets tests point the SDK at a double that speaks Stripe's wire format.
   */
  constructor(
    secretKey: string,
    private readonly fallback: TaxProvider,
    opts: { apiBase?: string; fetchFn?: typeof fetch; codes?: Partial<Record<string, string>> } = {},
  ) {
    this.stripe = stripeClient(secretKey, opts.apiBase, opts.fetchFn);
    this.codes = { ...DEFAULT_TAX_CODES, ...opts.codes };
  }

  async quote(env: Pick<Env, "DB">, address: TaxAddress, lines: TaxLine[], currency = "usd"): Promise<TaxQuote> {
    const taxable = lines.filter((l) => l.amount > 0);
    const country = address.country.toUpperCase();
    const key = JSON.stringify([
      country,
      address.region ?? "",
      address.postal_code ?? "",
      currency,
      taxable.map((l) => [l.key, l.amount, l.taxClass ?? ""]),
    ]);
    const hit = quotes.get(key);
    if (hit) return hit;
    const out: TaxQuote = {
      added: 0,
      included: 0,
      lines: Object.fromEntries(lines.map((l) => [l.key, 0])),
      jurisdiction: null,
    };
    if (taxable.length === 0) return out;
    const behavior = PRICES_INCLUDE_TAX.has(country) ? "inclusive" : "exclusive";
    let calc: Stripe.Tax.Calculation;
    try {
      calc = await this.stripe.tax.calculations.create({
        currency,
        line_items: taxable.map((l) => ({
          amount: l.amount,
          reference: l.key,
          tax_behavior: behavior,
          tax_code: (l.taxClass && this.codes[l.taxClass]) || this.codes.general,
        })),
        customer_details: {
          address: {
            country,
            ...(address.region ? { state: address.region.toUpperCase() } : {}),
            ...(address.postal_code ? { postal_code: address.postal_code } : {}),
            ...(address.city ? { city: address.city } : {}),
            ...(address.line1 ? { line1: address.line1 } : {}),
          },
          address_source: "shipping",
        },
      });
    } catch (err) {
      log("warn", "stripe tax unavailable: the rate table answered", { country, ...errorFields(err) });
      return this.fallback.quote(env, address, lines, currency);
    }
    // The calculation lists its first lines; a long cart's rest are a page away.
    const items = [...(calc.line_items?.data ?? [])];
    if (calc.line_items?.has_more) {
      for await (const li of this.stripe.tax.calculations.listLineItems(calc.id!, {
        limit: 100,
        starting_after: items.at(-1)?.id,
      }))
        items.push(li);
    }
    for (const li of items) out.lines[li.reference] = li.amount_tax;
    out.added = calc.tax_amount_exclusive;
    out.included = calc.tax_amount_inclusive;
    const where = calc.tax_breakdown.find((b) => b.amount > 0)?.tax_rate_details;
    out.jurisdiction = where?.country ? `${where.country}${where.state ? `-${where.state}` : ""}` : null;
    quotes.set(key, out);
    return out;
  }
}

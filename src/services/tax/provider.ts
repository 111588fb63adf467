import type { TaxClass } from "../../lib/tax-classes";

/**
 * Tax: a provider answers what a cart's lines owe at an address. Sales tax is added on top of the
 * prices; VAT and GST are contained in them (shown as `tax_included`, not added again). Tax is
 * charged on goods after discounts, not on shipping.
 */

export interface TaxLine {
  key: string;
  /** What the line costs after its discount, minor units. */
  amount: number;
  /** Its category's tax class (null or absent: the standard rate). */
  taxClass?: TaxClass | null;
}

export interface TaxQuote {
  /** Added to the total. */
  added: number;
  /** Contained in the prices. */
  included: number;
  lines: Record<string, number>;
  jurisdiction: string | null;
}

/** Where goods go; the table needs the country and region, Stripe Tax also uses the postal code (US ZIP rates). */
export interface TaxAddress {
  country: string;
  region?: string;
  postal_code?: string;
  city?: string;
  line1?: string;
}

export interface TaxProvider {
  /** `currency`: what the amounts are in (the base currency unless the lines are a cart's set prices). */
  quote(env: Pick<Env, "DB">, address: TaxAddress, lines: TaxLine[], currency?: string): Promise<TaxQuote>;
}

import { eq, inArray } from "drizzle-orm";
import { getDb } from "../db/client";
import { shippingProfiles } from "../db/schema/shipping";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { TtlCache } from "../lib/ttl-cache";
import type { Address, Zone, ZoneInput } from "../schemas/shipping";
import type { z } from "@hono/zod-openapi";

/**
 * Shipping: owns `shipping_profiles`. A seller's profile is a list of zones (countries, narrowed
 * to regions or postal prefixes), each with rates; the first zone covering an address applies.
 * A seller without a profile ships free everywhere (the behaviour before profiles).
 */

export interface ShippingOption {
  option_id: string;
  name: string;
  amount: number;
  min_days: number | null;
  max_days: number | null;
}

export interface SellerShipping {
  seller_id: string;
  /** The chosen option (the buyer's, else the cheapest). */
  selected: string;
  options: ShippingOption[];
}

/** What a seller ships in one cart: what rates are computed from. */
export interface Parcel {
  seller_id: string;
  subtotal: number;
  items: number;
  /** Units' weights summed (grams); units without a weight count 0. */
  grams: number;
}

/**
 * Profiles by seller for 10 s per isolate (a seller edits theirs rarely; a cart or checkout reads
 * them on every priced request). A save in this isolate replaces its copy; "none" is cached too.
 */
const profileCache = new TtlCache<Zone[] | null>(10_000, 10_000, 8 * 1024 * 1024);

/** The option of a seller without a profile. */
const FREE_OPTION: ShippingOption = {
  option_id: "free",
  name: "Free shipping",
  amount: 0,
  min_days: null,
  max_days: null,
};

export async function getProfile(env: Pick<Env, "DB">, sellerId: string) {
  const row = await getDb(env).select().from(shippingProfiles).where(eq(shippingProfiles.sellerId, sellerId)).get();
  return { seller_id: sellerId, zones: row?.zones ?? [], updated_at: row?.updatedAt ?? null };
}

/** Replaces the seller's profile; every rate gets a new option id (a cart's old choice falls back to the cheapest). */
export async function putProfile(env: Pick<Env, "DB">, sellerId: string, zones: z.output<typeof ZoneInput>[]) {
  const stored: Zone[] = zones.map((zone) => ({
    ...zone,
    rates: zone.rates.map((r) => ({ ...r, option_id: newId("shippingRate") })),
  }));
  const now = new Date().toISOString();
  await getDb(env)
    .insert(shippingProfiles)
    .values({ sellerId, zones: stored, updatedAt: now })
    .onConflictDoUpdate({ target: shippingProfiles.sellerId, set: { zones: stored, updatedAt: now } });
  profileCache.set(sellerId, stored);
  return { seller_id: sellerId, zones: stored, updated_at: now };
}

function covers(zone: Zone, a: Pick<Address, "country" | "region" | "postal_code">): boolean {
  if (!zone.countries.includes(a.country.toUpperCase())) return false;
  if (zone.regions?.length && !(a.region && zone.regions.some((r) => r.toUpperCase() === a.region!.toUpperCase())))
    return false;
  if (
    zone.postal_prefixes?.length &&
    !zone.postal_prefixes.some((p) =>
      a.postal_code.toUpperCase().replace(/\s/g, "").startsWith(p.toUpperCase().replace(/\s/g, "")),
    )
  )
    return false;
  return true;
}

/** What a rate charges for a parcel; null when it does not take it (heavier than its last weight band). */
function price(rate: Zone["rates"][number], parcel: Parcel): number | null {
  switch (rate.kind) {
    case "weight":
      return rate.bands?.find((b) => parcel.grams <= b.up_to_grams)?.amount ?? null;
    case "per_item":
      return rate.amount * parcel.items;
    case "free_over":
      return parcel.subtotal >= (rate.threshold ?? 0) ? 0 : rate.amount;
    default:
      return rate.amount;
  }
}

/**
 * The options each seller offers for their parcel to this address, cheapest first, with the
 * buyer's choice where it is still offered. Sellers that do not ship there are returned apart,
 * for the caller's 409.
 */
export async function quote(
  env: Pick<Env, "DB">,
  address: Pick<Address, "country" | "region" | "postal_code">,
  parcels: Parcel[],
  choices: Record<string, string>,
): Promise<{ sellers: SellerShipping[]; unshippable: string[] }> {
  const ids = [...new Set(parcels.map((p) => p.seller_id))];
  const profiles = new Map<string, Zone[]>();
  const misses: string[] = [];
  for (const id of ids) {
    const hit = profileCache.get(id);
    if (hit === undefined) misses.push(id);
    else if (hit) profiles.set(id, hit);
  }
  for (let i = 0; i < misses.length; i += 90) {
    const part = misses.slice(i, i + 90);
    const rows = await getDb(env).select().from(shippingProfiles).where(inArray(shippingProfiles.sellerId, part)).all();
    for (const r of rows) profiles.set(r.sellerId, r.zones);
    for (const id of part) profileCache.set(id, profiles.get(id) ?? null);
  }
  const sellers: SellerShipping[] = [];
  const unshippable: string[] = [];
  for (const parcel of parcels) {
    const zones = profiles.get(parcel.seller_id);
    let options: ShippingOption[];
    if (!zones) options = [{ ...FREE_OPTION }];
    else {
      const zone = zones.find((z) => covers(z, address));
      if (!zone) {
        unshippable.push(parcel.seller_id);
        continue;
      }
      options = zone.rates
        .flatMap((r) => {
          const amount = price(r, parcel);
          return amount === null
            ? []
            : [{ option_id: r.option_id, name: r.name, amount, min_days: r.min_days, max_days: r.max_days }];
        })
        .sort((a, b) => a.amount - b.amount || (a.max_days ?? 0) - (b.max_days ?? 0));
      // A parcel too heavy for every rate of its zone cannot be shipped there.
      if (options.length === 0) {
        unshippable.push(parcel.seller_id);
        continue;
      }
    }
    const chosen = options.find((o) => o.option_id === choices[parcel.seller_id]) ?? options[0];
    sellers.push({ seller_id: parcel.seller_id, selected: chosen.option_id, options });
  }
  return { sellers, unshippable };
}

/** The option a seller's parcel goes by. */
export function selectedOption(s: SellerShipping): ShippingOption {
  return s.options.find((o) => o.option_id === s.selected) ?? s.options[0];
}

/** What the chosen options of these sellers cost together. */
export function shippingCost(sellers: SellerShipping[]): number {
  return sellers.reduce((n, s) => n + selectedOption(s).amount, 0);
}

export function notShippable(lines: { product_id: string; seller_id: string }[], sellers: string[]): ApiError {
  const bad = lines.filter((l) => sellers.includes(l.seller_id));
  return new ApiError("not_shippable", "Some items cannot be shipped to this address", {
    details: bad.map((l) => ({
      field: l.product_id,
      code: "not_shippable",
      message: `seller ${l.seller_id} does not ship to this address`,
    })),
  });
}

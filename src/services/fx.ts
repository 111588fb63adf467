import { getDb } from "../db/client";
import { fxRates } from "../db/schema/fx";
import { ApiError } from "../lib/errors";
import {
  BASE_CURRENCY,
  currencyOfCountry,
  isPresentmentCurrency,
  USD_RATE_MICRO,
  type PresentmentCurrency,
} from "../lib/currency";
import { TtlCache } from "../lib/ttl-cache";

/** Exchange rates: owns `fx_rates`. Read per isolate for 30 s; a write in this isolate drops its copy. */
const cache = new TtlCache<Map<string, number>>(30_000, 1);

export async function rates(env: Pick<Env, "DB">): Promise<Map<string, number>> {
  const hit = cache.get("all");
  if (hit) return hit;
  const rows = await getDb(env).select().from(fxRates).all();
  const map = new Map(rows.map((r) => [r.currency, r.rateMicro]));
  map.set(BASE_CURRENCY, USD_RATE_MICRO);
  cache.set("all", map);
  return map;
}

/** The rate of a presentment currency, or a 400 naming `field` when the store does not present in it. */
export async function rateOf(
  env: Pick<Env, "DB">,
  currency: string,
  field = "currency",
): Promise<{ currency: PresentmentCurrency; rateMicro: number }> {
  const c = currency.toLowerCase();
  const rate = isPresentmentCurrency(c) ? (await rates(env)).get(c) : undefined;
  if (!isPresentmentCurrency(c) || !rate) {
    const offered = [...(await rates(env)).keys()].sort().join(", ");
    throw new ApiError("validation_failed", `The store does not sell in ${currency}`, {
      details: [{ field, code: "unsupported_currency", message: `one of ${offered}` }],
    });
  }
  return { currency: c, rateMicro: rate };
}

/** The currency of a shopper's country (the request's, from Cloudflare), when the store has a rate for it; else null (the base). */
export async function regionCurrency(
  env: Pick<Env, "DB">,
  country: string | undefined | null,
): Promise<PresentmentCurrency | null> {
  const c = currencyOfCountry(country);
  if (!c || c === BASE_CURRENCY) return null;
  return (await rates(env)).has(c) ? c : null;
}

export async function listRates(env: Pick<Env, "DB">) {
  const rows = await getDb(env).select().from(fxRates).all();
  return rows
    .map((r) => ({ currency: r.currency, rate_micro: r.rateMicro, source: r.source, updated_at: r.updatedAt }))
    .sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

/** Replaces the given currencies' rates (the base stays 1e6). */
export async function setRates(env: Pick<Env, "DB">, input: Record<string, number>, source: string) {
  const now = new Date().toISOString();
  const db = getDb(env);
  const rows = Object.entries(input).map(([currency, rateMicro]) => ({ currency, rateMicro, source, updatedAt: now }));
  if (rows.length) {
    await db.batch(
      rows.map((r) =>
        db
          .insert(fxRates)
          .values(r)
          .onConflictDoUpdate({
            target: fxRates.currency,
            set: { rateMicro: r.rateMicro, source: r.source, updatedAt: now },
          }),
      ) as [never, ...never[]],
    );
  }
  cache.clear();
  return listRates(env);
}

// A deterministic order history over the last 90 days, shaped like real shopping:
// popular products sell more, and about half the orders add a companion product of
// the same brand or category (a case with a phone, a second shirt). Used by the seed
// (so dashboards and the feed have something true to show) and by the offline
// recommendation check (npm run reco:eval), which splits it by time.
import { rng, stableHash } from "./catalog.mjs";

/**
 * products: [{ id, seller_id, category_id, brand, price, popularity }] (ids as seeded).
 * Returns orders [{ n, buyer, at (ms), items: [{ product, quantity }] }], oldest first.
 */
export function generateHistory(
  products,
  { orders = 3000, buyers = 500, days = 90, now = Date.parse("2026-11-20T12:00:00Z"), seed = 7 } = {},
) {
  const rand = rng(seed);
  const sellable = products.filter((p) => p.price > 0);
  // Popularity-weighted sampling (Best Buy has real popularity; Mr Porter a stable stand-in).
  const weights = sellable.map((p) => Math.sqrt(1 + p.popularity));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w));
  const pick = () => {
    const r = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return sellable[lo];
  };
  const byBrandCategory = new Map();
  const byCategory = new Map();
  for (const p of sellable) {
    const k = `${p.category_id}|${p.brand}`;
    byBrandCategory.set(k, [...(byBrandCategory.get(k) ?? []), p]);
    byCategory.set(p.category_id, [...(byCategory.get(p.category_id) ?? []), p]);
  }
  // Each product has a few fixed companions: what is bought together is stable, as in life.
  const companions = (p) => {
    const pool = (byBrandCategory.get(`${p.category_id}|${p.brand}`) ?? []).filter((x) => x.id !== p.id);
    const wide = pool.length >= 3 ? pool : (byCategory.get(p.category_id) ?? []).filter((x) => x.id !== p.id);
    if (wide.length === 0) return [];
    const h = stableHash(p.id);
    return [wide[h % wide.length], wide[(h >>> 8) % wide.length], wide[(h >>> 16) % wide.length]];
  };
  const out = [];
  for (let n = 0; n < orders; n++) {
    const at = now - Math.floor((1 - n / orders) * days * 86_400_000) + Math.floor(rand() * 3_600_000);
    const first = pick();
    const items = [{ product: first, quantity: 1 + Math.floor(rand() * 2) }];
    if (rand() < 0.55) {
      const c = companions(first);
      if (c.length) {
        const other = c[Math.floor(rand() * c.length)];
        if (other.id !== first.id) items.push({ product: other, quantity: 1 });
      }
    }
    out.push({ n, buyer: Math.floor(rand() * buyers), at, items });
  }
  return out;
}

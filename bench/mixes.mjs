// The bench's request mixes from the real shopper queries, shared by `npm run bench` and
// bench/paths.mjs so both measure the same traffic.
import { loadSeedCatalog, loadSeedQueries } from "../scripts/catalog.mjs";

/** `n` items drawn by weight with a fixed seed (a Zipf-like mix when weights are popularities). */
function weightedSample(items, weight, n, seed = 7) {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const total = items.reduce((s, it) => s + weight(it), 0);
  return Array.from({ length: n }, () => {
    let r = rand() * total;
    for (const it of items) if ((r -= weight(it)) <= 0) return it;
    return items[items.length - 1];
  });
}

/** Real shopper queries (and the catalog they were loaded against), sampled by their popularity. */
export function queryMixes() {
  const catalog = loadSeedCatalog();
  const queries = loadSeedQueries(catalog.products);
  return {
    catalog,
    queries,
    search: weightedSample(queries, (q) => q.popularity, 2000).map(
      (q) => `/search?q=${encodeURIComponent(q.query)}&limit=20`,
    ),
    suggest: weightedSample(queries, (q) => q.popularity, 2000, 11).map(
      (q) => `/suggest?prefix=${encodeURIComponent(q.query.slice(0, 4))}`,
    ),
  };
}

#!/usr/bin/env node
// `npm run reco:eval`: offline check of "related products" on the seeded order history.
// The history (scripts/history.mjs) is split by time: the first 80% of orders train
// the co-purchase counts, the last 20% are held out. For every held-out order with
// two or more products, each product asks for its top 10 related products, and it is
// a hit when another product of that order is among them. The ranking is the one
// services/recommendations.ts `related` uses (co-purchases, then the most popular of
// the same category); the baseline recommends the 10 best sellers.
import { loadSeedCatalog } from "./catalog.mjs";
import { generateHistory } from "./history.mjs";

export function evaluate() {
  const { products, source } = loadSeedCatalog();
  const list = products.map((p) => ({
    id: p.source_ref,
    category_id: p.categories.join(" > "),
    brand: p.brand,
    price: p.price,
    popularity: p.popularity,
  }));
  const orders = generateHistory(list);
  const cut = Math.floor(orders.length * 0.8);
  const train = orders.slice(0, cut);
  const test = orders.slice(cut).filter((o) => new Set(o.items.map((i) => i.product.id)).size >= 2);

  const pairs = new Map();
  const sold = new Map();
  for (const o of train) {
    for (const a of o.items) {
      sold.set(a.product.id, (sold.get(a.product.id) ?? 0) + a.quantity);
      for (const b of o.items) {
        if (a.product.id === b.product.id) continue;
        const m = pairs.get(a.product.id) ?? new Map();
        m.set(b.product.id, (m.get(b.product.id) ?? 0) + 1);
        pairs.set(a.product.id, m);
      }
    }
  }
  const byCategory = new Map();
  for (const p of list) byCategory.set(p.category_id, [...(byCategory.get(p.category_id) ?? []), p]);
  for (const v of byCategory.values()) v.sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
  const product = new Map(list.map((p) => [p.id, p]));
  const bestSellers = [...sold.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);

  const related = (id) => {
    const out = [...(pairs.get(id) ?? new Map()).entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([x]) => x);
    for (const p of byCategory.get(product.get(id).category_id) ?? []) {
      if (out.length >= 10) break;
      if (p.id !== id && !out.includes(p.id)) out.push(p.id);
    }
    return out.slice(0, 10);
  };
  const baseline = (id) => bestSellers.filter((x) => x !== id).slice(0, 10);

  let queries = 0;
  let hitRelated = 0;
  let hitBaseline = 0;
  for (const o of test) {
    const ids = [...new Set(o.items.map((i) => i.product.id))];
    for (const a of ids) {
      const others = ids.filter((x) => x !== a);
      const r = new Set(related(a));
      const b = new Set(baseline(a));
      queries++;
      if (others.some((x) => r.has(x))) hitRelated++;
      if (others.some((x) => b.has(x))) hitBaseline++;
    }
  }
  return {
    source,
    trainOrders: train.length,
    testOrders: test.length,
    queries,
    related: hitRelated / queries,
    baseline: hitBaseline / queries,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const r = evaluate();
  console.log(
    `hit-rate@10 of related on held-out orders (${r.source} catalog, ${r.trainOrders} train / ${r.testOrders} test orders, ${r.queries} queries): ` +
      `related ${(r.related * 100).toFixed(1)}%, popularity baseline ${(r.baseline * 100).toFixed(1)}%`,
  );
  console.log("reproduce: npm run reco:eval");
  process.exit(r.related > r.baseline ? 0 : 1);
}

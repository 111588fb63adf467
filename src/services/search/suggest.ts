import { findProducts } from "../catalog/product-reads";
import { terms, wordMatches } from "./documents";
import { fanOut } from "./query";
import { shardCount } from "./shards";

/** Autocomplete (GET /suggest) from popular queries and product names, and the popularity count behind it. */
export async function suggest(
  env: Env,
  prefix: string,
  limit: number,
): Promise<{ text: string; product_id?: string }[]> {
  const p = prefix.trim().toLowerCase().replace(/\s+/g, " ");
  if (!p) return [];
  const [queries, products] = await Promise.all([
    env.DB.prepare("SELECT query FROM search_queries WHERE query >= ? AND query < ? ORDER BY popularity DESC LIMIT ?")
      .bind(p, `${p}\uffff`, limit)
      .all<{ query: string }>(),
    productCompletions(env, p, limit),
  ]);
  // Popular queries first, but products always get some room (up to 3 slots).
  const productSlots = Math.min(products.length, 3, limit);
  const out: { text: string; product_id?: string }[] = queries.results
    .slice(0, limit - productSlots)
    .map((r) => ({ text: r.query }));
  for (const prod of products) if (out.length < limit) out.push(prod);
  return out;
}

async function productCompletions(env: Env, prefix: string, limit: number) {
  const shards = shardCount(env);
  const results = await fanOut(env, shards, {
    term: prefix,
    where: {},
    sort: "relevance",
    take: limit * 4,
    steps: [{ tolerance: 0, missing: 0 }],
    facets: false,
    priceRanges: [],
  });
  const hits = results.flatMap((r) => r.hits).sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
  const rows = new Map(
    (
      await findProducts(
        env,
        hits.slice(0, limit * 2).map((h) => h.id),
      )
    ).map((r) => [r.id, r]),
  );
  const qTerms = terms(prefix);
  return hits
    .map((h) => rows.get(h.id))
    .filter((r): r is NonNullable<typeof r> => !!r && r.status === "active")
    .filter((r) => {
      const words = terms(r.name);
      return qTerms.every((t, i) => words.some((w) => wordMatches(t, w, i === qTerms.length - 1)));
    })
    .slice(0, limit)
    .map((r) => ({ text: r.name, product_id: r.id }));
}

/** Subscriber: searches that found something make their queries more popular (one batch per event). */
export async function countSearches(env: Pick<Env, "DB">, entries: { query: string; count: number }[]): Promise<void> {
  if (entries.length === 0) return;
  await env.DB.batch(
    entries.map((e) =>
      env.DB.prepare(
        "INSERT INTO search_queries (query, popularity) VALUES (?1, ?2) ON CONFLICT (query) DO UPDATE SET popularity = popularity + ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
      ).bind(e.query, e.count),
    ),
  );
}

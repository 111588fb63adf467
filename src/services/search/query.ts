import type { ShardQuery, ShardResult } from "./shard-types";
import { coalescer } from "../../lib/coalesce";
import { ApiError } from "../../lib/errors";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { TtlCache } from "../../lib/ttl-cache";
import { findCategory } from "../catalog/categories";
import { facetableAttributes } from "../catalog/attributes";
import { findProducts, toProduct } from "../catalog/product-reads";
import { buildEvent } from "../events";
import { filterTokens, listingToken, terms } from "./documents";
import { MAX_RESULT_DEPTH, shardQuery } from "./shard-query";
import type { SearchParams } from "./params";
import { shardCount, shardStub } from "./shards";
import { compare, highlight, topValues, withoutVariants } from "./ranking";
import { matchingVariants } from "./filters";

/**
 * Search: queries fan out to every shard in parallel; each returns its top
 * candidates (Orama with the matcher in ./matcher.ts: stemming, stop words,
 * filters, facets), and this module merges them, ranking with a score
 * computed from the documents themselves (not per-shard BM25 statistics), so
 * results do not depend on the shard count.
 *
 * Matching widens step by step until something is found (./shard-query.ts,
 * matchSteps): all words, all words with one typo allowed (words of 5+
 * letters), then one word fewer at a time, then any word with a typo.
 */

/** The most values one attribute filter may list (`size=S,M,L`). */

/** Hot queries answered from this isolate for 15 s; writes in this isolate bump the version. */
export const RESULTS_TTL_MS = 15_000;
const resultCache = new TtlCache<unknown>(RESULTS_TTL_MS, 2_000, 16 * 1024 * 1024);
let localVersion = 0;
/** Bumped by every indexing write in this isolate: a cached answer keyed by it is never older than one. */
export function resultsVersion(): number {
  return localVersion;
}
/** Writers in this isolate call this so its cached results never outlive their own writes. */
export function invalidateSearchCache(): void {
  localVersion++;
  resultCache.clear();
}

export async function fanOut(env: Env, shards: number, q: ShardQuery): Promise<ShardResult[]> {
  return Promise.all(
    Array.from(
      { length: shards },
      async (_, i) => (await shardStub(env, shards, i).fillAndQuery(q, i, shards)) as ShardResult,
    ),
  );
}

export async function searchProducts(env: Env, p: SearchParams, opts: { shards?: number } = {}) {
  const shards = opts.shards ?? shardCount(env);
  const offset = p.cursor ? Number(decodeCursor(p.cursor, 1)[0]) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset >= MAX_RESULT_DEPTH) {
    throw new ApiError("validation_failed", "cursor is out of range", {
      details: [{ field: "cursor", code: "invalid_cursor", message: "out of range" }],
    });
  }
  if (p.min_price !== undefined && p.max_price !== undefined && p.min_price > p.max_price) {
    throw new ApiError("validation_failed", "min_price is above max_price", {
      details: [{ field: "min_price", code: "range", message: "min_price > max_price" }],
    });
  }
  const facetable = await facetableAttributes(env);
  const cacheKey = JSON.stringify([localVersion, shards, p, facetable.size]);
  const cached = resultCache.get(cacheKey);
  if (cached) return cached as Awaited<ReturnType<typeof runSearch>>;
  const result = await runSearch(env, p, shards, offset, [...facetable.keys()].sort());
  resultCache.set(cacheKey, result);
  return result;
}

async function runSearch(env: Env, p: SearchParams, shards: number, offset: number, facetNames: string[]) {
  const where: Record<string, unknown> = {};
  type Facets = {
    brand: Record<string, number>;
    category_id: Record<string, number>;
    price_range: Record<string, number>;
  } & Record<string, Record<string, number>>;
  const noFacets = (): Facets => ({
    ...Object.fromEntries(facetNames.map((n) => [n, {}])),
    brand: {},
    category_id: {},
    price_range: {},
    listing: {},
  });
  if (p.category_id) {
    if (!(await findCategory(env, p.category_id))) return { data: [], total: 0, facets: noFacets(), next_cursor: null };
    where.category_ids = { containsAny: [p.category_id] };
  }
  if (p.brand) where.brand_key = { eq: p.brand.toLowerCase() };
  if (p.min_price !== undefined || p.max_price !== undefined) {
    where.price =
      p.min_price !== undefined && p.max_price !== undefined
        ? { between: [p.min_price, p.max_price] }
        : p.min_price !== undefined
          ? { gte: p.min_price }
          : { lte: p.max_price };
  }
  if (p.min_rating !== undefined) where.rating = { gte: p.min_rating };
  if (p.in_stock) where.in_stock = true;
  const filters = p.attributes ?? {};
  // One condition per attribute, all of them: Orama intersects an `and` list (values within one are any-of).
  const attributeConditions = Object.entries(filters).map(([name, values]) => ({
    facet_values: { containsAny: filterTokens(name, values) },
  }));
  // "Ending soonest" ranks live auctions by their end, so it lists auctions only.
  const listing = p.sort === "ending_soonest" ? "auction" : p.listing;
  if (listing) attributeConditions.push({ facet_values: { containsAny: [listingToken(listing)] } });
  const shardWhere = attributeConditions.length
    ? { and: [...(Object.keys(where).length ? [where] : []), ...attributeConditions] }
    : where;

  const queryTerms = terms(p.q);
  // Each shard answers with the first step that finds anything there. A shard that answered a later step
  // found nothing at the earliest answered step, so keeping only that step's answers is what trying the
  // steps one by one across all shards would give, in one round trip.
  const answers = await fanOut(env, shards, shardQuery(p, shardWhere, offset));
  const found = answers.filter((r) => r.count > 0);
  const step = found.length ? Math.min(...found.map((r) => r.step)) : -1;
  const results = found.filter((r) => r.step === step);
  const total = results.reduce((s, r) => s + r.count, 0);

  // Facets: counts per shard, summed.
  const facets = noFacets();
  for (const r of results) {
    for (const [k, v] of Object.entries(r.facets.brand ?? {})) if (k) facets.brand[k] = (facets.brand[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.facets.category_id ?? {}))
      facets.category_id[k] = (facets.category_id[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.facets.price ?? {}))
      if (v > 0) facets.price_range[k] = (facets.price_range[k] ?? 0) + v;
    // Attribute facets: only the facetable ones are shown (shards count every attribute).
    for (const name of facetNames)
      for (const [k, v] of Object.entries(r.facets[`attr:${name}`] ?? {})) facets[name][k] = (facets[name][k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.facets["attr:listing"] ?? {}))
      facets.listing[k] = (facets.listing[k] ?? 0) + v;
  }

  facets.brand = topValues(facets.brand, 50);
  facets.category_id = topValues(facets.category_id, 50);
  for (const name of facetNames) facets[name] = topValues(facets[name], 50);

  // Rank the union of the shards' candidates with the shared score, then page.
  // Merge the shards' candidates (already ranked by the shared score) and page.
  const merged = results.flatMap((r) => r.hits).sort(compare(p.sort));
  const window = merged.slice(0, offset + p.limit + 20);
  const rows = new Map(
    (
      await findProducts(
        env,
        window.map((h) => h.id),
      )
    ).map((r) => [r.id, r]),
  );
  // The index may lag an archive or a sell-out by a moment; D1 has the last word. A filter on
  // variant options needs one variant matching every such filter in stock (the index checks each alone).
  const matches = new Map(
    window.map((h) => [h.id, rows.get(h.id) ? matchingVariants(rows.get(h.id)!, filters) : null]),
  );
  const candidates = window.filter((h) => {
    const m = matches.get(h.id);
    return rows.get(h.id)?.status === "active" && m && (!m.filtered || m.variants.some((v) => v.in_stock));
  });
  const page = candidates.slice(offset, offset + p.limit);
  const nextOffset = offset + p.limit;
  // A hit is the product without its full variant list: matching_variants says which variants
  // match and are in stock (the product page has the rest). Variants made the average page about
  // three times larger, and with it the isolate's byte-capped result cache held a third as many.
  const data = page.map((h) => ({
    ...withoutVariants(toProduct(rows.get(h.id)!)),
    matching_variants: matches.get(h.id)!.variants,
    score: Math.round(h.rank * 100) / 100,
    highlights: { name: highlight(rows.get(h.id)!.name, queryTerms) },
  }));
  return {
    data,
    total,
    facets,
    next_cursor: nextOffset < Math.min(total, merged.length, MAX_RESULT_DEPTH) ? encodeCursor([nextOffset]) : null,
  };
}

/**
 * Records a search that found something, for the popular-queries list and
 * analytics. Searches are counted per query in this isolate and sent as one
 * `searches.recorded` event about once a second (see coalescer), rather than
 * one queue message and several writes per search.
 */
const addSearch = coalescer<{ query: string; hits: number }, Pick<Env, "EVENTS">>(1000, async (batch, env) => {
  const counts = new Map<string, { hits: number; count: number }>();
  for (const s of batch) counts.set(s.query, { hits: s.hits, count: (counts.get(s.query)?.count ?? 0) + 1 });
  const entries = [...counts].map(([query, v]) => ({ query, hits: v.hits, count: v.count }));
  for (let i = 0; i < entries.length; i += 500) {
    await env.EVENTS.send(buildEvent("searches.recorded", { entries: entries.slice(i, i + 500) }), {
      contentType: "json",
    });
  }
});

export async function recordSearch(env: Pick<Env, "EVENTS">, q: string, hits: number): Promise<void> {
  const query = q.trim().toLowerCase().replace(/\s+/g, " ");
  if (!query || hits === 0 || query.length > 100) return;
  await addSearch({ query, hits }, env);
}

import type { ShardHit, ShardQuery, ShardResult } from "./shard-types";
import { coalescer } from "../../lib/coalesce";
import { ApiError } from "../../lib/errors";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { TtlCache } from "../../lib/ttl-cache";
import { findCategory } from "../catalog/categories";
import { categoryNames } from "../catalog/index-feed";
import { rowsToIndex } from "./index-rows";
import { facetableAttributes } from "../catalog/attributes";
import { findProducts, toProduct, type ProductRecord } from "../catalog/product-reads";
import { buildEvent } from "../events";
import {
  filterTokens,
  listingToken,
  searchable,
  shardOf,
  terms,
  toSearchDoc,
  wordMatches,
  type ProductForIndex,
} from "./documents";
import { MAX_RESULT_DEPTH, shardQuery } from "./shard-query";
import { config } from "../../lib/config";

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

function shardCount(env: Pick<Env, "SEARCH_SHARDS">): number {
  return config(env).searchShards;
}

export function shardStub(env: Pick<Env, "SEARCH_SHARD">, shards: number, i: number) {
  return env.SEARCH_SHARD.get(env.SEARCH_SHARD.idFromName(`products:v1:${shards}:${i}`));
}

export interface SearchParams {
  q: string;
  category_id?: string;
  brand?: string;
  min_price?: number;
  max_price?: number;
  min_rating?: number;
  in_stock?: boolean;
  sort: "relevance" | "price_asc" | "price_desc" | "rating" | "newest" | "ending_soonest";
  /** Fixed-price listings or auctions only. */
  listing?: "fixed" | "auction";
  limit: number;
  cursor?: string;
  /** Facetable attributes to filter by, name -> values (OR within a name, AND across names). */
  attributes?: Record<string, string[]>;
}

/** The most values one attribute filter may list (`size=S,M,L`). */
const MAX_FILTER_VALUES = 20;

/**
 * The attribute filters of a search request: every query parameter that is not one of search's
 * own. Each must name a facetable attribute (else a 400, as for any unknown field); `size=M,L`
 * and `size=M&size=L` both mean either.
 */
export async function attributeFilters(
  env: Pick<Env, "DB">,
  query: Record<string, string[]>,
  known: Set<string>,
  opts: { ignoreUnknown?: boolean } = {},
): Promise<Record<string, string[]>> {
  let names = Object.keys(query).filter((k) => !known.has(k));
  if (names.length === 0) return {};
  const facetable = await facetableAttributes(env);
  const bad = names.filter((n) => !facetable.has(n));
  // A page (the storefront) drops what it does not know instead of failing.
  if (opts.ignoreUnknown) names = names.filter((n) => facetable.has(n));
  else if (bad.length) {
    throw new ApiError("validation_failed", `Unknown search parameter ${bad[0]}`, {
      details: bad.slice(0, 20).map((n) => ({
        field: n,
        code: "unrecognized",
        message: facetable.size
          ? `not a search parameter or facetable attribute (${[...facetable.keys()].slice(0, 20).join(", ")})`
          : "not a search parameter",
      })),
    });
  }
  const out: Record<string, string[]> = {};
  for (const n of names.sort()) {
    const values = [
      ...new Set(
        query[n]
          .flatMap((v) => v.split(","))
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ];
    if (values.length === 0 || values.length > MAX_FILTER_VALUES || values.some((v) => v.length > 60)) {
      throw new ApiError("validation_failed", `${n} takes 1 to ${MAX_FILTER_VALUES} values`, {
        details: [
          {
            field: n,
            code: "invalid_value",
            message: `1 to ${MAX_FILTER_VALUES} values of at most 60 characters, comma-separated`,
          },
        ],
      });
    }
    out[n] = values.sort();
  }
  return out;
}

/** A hit's variants that match the filters on variant options (all of them when no filter names one). */
function matchingVariants(row: ProductRecord, filters: Record<string, string[]>) {
  const onOptions = Object.entries(filters).filter(([name]) => row.variants.some((v) => name in v.options));
  const want = onOptions.map(([name, values]) => [name, new Set(values.map((v) => v.toLowerCase()))] as const);
  const matching = row.variants.filter((v) =>
    want.every(([name, values]) => values.has((v.options[name] ?? "").toLowerCase())),
  );
  return {
    filtered: onOptions.length > 0,
    variants: matching.map((v) => ({ variant_id: v.id, options: v.options, in_stock: v.stockAvailable > 0 })),
  };
}

// ---- ranking --------------------------------------------------------------------

function compare(sort: SearchParams["sort"]) {
  return (a: ShardHit, b: ShardHit): number => {
    const tie = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    switch (sort) {
      case "price_asc":
        return a.price - b.price || tie;
      case "price_desc":
        return b.price - a.price || tie;
      case "rating":
        return b.rating - a.rating || b.popularity - a.popularity || tie;
      case "newest":
        return b.created_at - a.created_at || tie;
      case "ending_soonest":
        return a.ends_at - b.ends_at || tie;
      default:
        return b.rank - a.rank || b.popularity - a.popularity || tie;
    }
  };
}

// ---- query ------------------------------------------------------------------------

/** Hot queries answered from this isolate for 15 s; writes in this isolate bump the version. */
const resultCache = new TtlCache<unknown>(15_000, 2_000, 16 * 1024 * 1024);
let localVersion = 0;
/** Writers in this isolate call this so its cached results never outlive their own writes. */
function invalidateSearchCache(): void {
  localVersion++;
  resultCache.clear();
}

async function fanOut(env: Env, shards: number, q: ShardQuery): Promise<ShardResult[]> {
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

function withoutVariants<P extends { variants: unknown }>({ variants: _v, ...rest }: P): Omit<P, "variants"> {
  return rest;
}

function topValues(counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n),
  );
}

/** Wraps the words of `text` that match a query term in <mark>…</mark> (HTML-escaped). */
function highlight(text: string, queryTerms: string[]): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  if (queryTerms.length === 0) return esc(text);
  return text
    .split(/([\p{L}\p{N}]+)/u)
    .map((part) => {
      const t = terms(part)[0];
      if (!t) return esc(part);
      const hit = queryTerms.some((q, i) => wordMatches(q, t, i === queryTerms.length - 1));
      return hit ? `<mark>${esc(part)}</mark>` : esc(part);
    })
    .join("");
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

// ---- indexing -----------------------------------------------------------------------

/**
 * Brings the index up to date with D1 for these products: active ones are
 * upserted, archived ones removed. Reads the current row, so any event about a
 * product (whatever its order) leaves the index at the latest state.
 */
export async function indexProducts(env: Env, productIds: string[], opts: { shards?: number } = {}): Promise<void> {
  if (productIds.length === 0) return;
  const shards = opts.shards ?? shardCount(env);
  const names = await categoryNames(env);
  const rows = await rowsToIndex(env, [...new Set(productIds)]);
  const byShard = new Map<number, ProductForIndex[]>();
  for (const r of rows) {
    const s = shardOf(r.id, shards);
    byShard.set(s, [...(byShard.get(s) ?? []), r]);
  }
  await Promise.all(
    [...byShard].map(async ([i, list]) => {
      const stub = shardStub(env, shards, i);
      await stub.ensureFilled(i, shards);
      await stub.apply(
        list.filter(searchable).map((r) => toSearchDoc(r, names)),
        list.filter((r) => !searchable(r)).map((r) => ({ id: r.id, version: toSearchDoc(r, names).version })),
      );
    }),
  );
  invalidateSearchCache();
}

/** Rebuilds every shard from D1 (admin route, `npm run search:reindex`). */
export async function reindexAll(
  env: Env,
  opts: { shards?: number } = {},
): Promise<{ shards: number; documents: number }> {
  const shards = opts.shards ?? shardCount(env);
  const stats = await Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const stub = shardStub(env, shards, i);
      await stub.clear();
      await stub.ensureFilled(i, shards);
      return stub.stats();
    }),
  );
  invalidateSearchCache();
  return { shards, documents: stats.reduce((s, x) => s + x.documents, 0) };
}

// ---- suggest ---------------------------------------------------------------------------

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

/** Per-shard figures for operators and the bench; `reload` also times a cold restore from the snapshot. */
export async function shardStats(env: Env, reload = false) {
  const shards = shardCount(env);
  return Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const stub = shardStub(env, shards, i);
      await stub.ensureFilled(i, shards);
      const restore = reload ? await stub.reload() : null;
      const s = await stub.stats();
      return {
        shard: i,
        documents: s.documents,
        snapshot_bytes: s.snapshotChars,
        snapshot_chunks: s.snapshotChunks,
        restore_ms: restore?.restoreMs ?? null,
        cached_answers: s.cachedAnswers,
        warming: s.warming,
      };
    }),
  );
}

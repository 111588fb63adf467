import type { ShardQuery } from "../../durable/search-shard";
import { DEFAULT_PAGE_LIMIT } from "../../lib/pagination";

/**
 * The shape of the per-shard query that GET /search sends, in one place: the
 * shards cache answers by this exact shape, and warm their caches with the
 * popular queries in the shape a shopper's first page takes.
 */

/** How many of the most popular queries a shard answers ahead of demand after a fill or restore. */
export const WARM_QUERIES = 300;

export const MAX_RESULT_DEPTH = 1000;

// Price facet buckets, in cents; each is [from, to).
export const PRICE_RANGES = [
  { from: 0, to: 2500 },
  { from: 2500, to: 5000 },
  { from: 5000, to: 10000 },
  { from: 10000, to: 25000 },
  { from: 25000, to: 50000 },
  { from: 50000, to: 100000 },
  { from: 100000, to: 10_000_000_000 },
];

/**
 * One matching step's query. Each shard returns its best `take` (the page's
 * end plus a margin for hits that D1 says were archived a moment ago), which
 * is all the merger can show, whatever the shard count.
 */
export function shardQuery(
  p: { q: string; sort: ShardQuery["sort"]; limit: number },
  where: Record<string, unknown>,
  offset: number,
  step: { tolerance: number; missing: number },
): ShardQuery {
  const take = Math.min(MAX_RESULT_DEPTH, offset + p.limit + 20);
  return { term: p.q.trim(), where, sort: p.sort, take, facets: true, priceRanges: PRICE_RANGES, ...step };
}

/** The first matching step of a shopper's first page for `q`, unfiltered: what warming precomputes. */
export function warmShardQuery(q: string): ShardQuery {
  return shardQuery({ q, sort: "relevance", limit: DEFAULT_PAGE_LIMIT }, {}, 0, { tolerance: 0, missing: 0 });
}

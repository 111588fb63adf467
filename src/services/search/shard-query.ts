import type { MatchStep, ShardQuery } from "./shard-types";
import { terms } from "./documents";
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
const PRICE_RANGES = [
  { from: 0, to: 2500 },
  { from: 2500, to: 5000 },
  { from: 5000, to: 10000 },
  { from: 10000, to: 25000 },
  { from: 25000, to: 50000 },
  { from: 50000, to: 100000 },
  { from: 100000, to: 10_000_000_000 },
];

/**
 * Matching widens until something is found: every word; every word allowing
 * a typo (words of 5+ letters); then one word fewer at a time (documents
 * matching more words first); lastly any word allowing a typo.
 */
function matchSteps(q: string): MatchStep[] {
  const words = terms(q);
  const distinct = new Set(words).size;
  const typo = words.some((t) => t.length >= 5);
  const steps: MatchStep[] = [{ tolerance: 0, missing: 0 }];
  if (typo) steps.push({ tolerance: 1, missing: 0 });
  for (let m = 1; m < distinct; m++) steps.push({ tolerance: 0, missing: m });
  if (typo && distinct > 1) steps.push({ tolerance: 1, missing: distinct - 1 });
  return steps;
}

/**
 * The per-shard query. Each shard returns its best `take` (the page's end plus
 * a margin for hits that D1 says were archived a moment ago), which is all the
 * merger can show, whatever the shard count.
 */
export function shardQuery(
  p: { q: string; sort: ShardQuery["sort"]; limit: number },
  where: Record<string, unknown>,
  offset: number,
): ShardQuery {
  const take = Math.min(MAX_RESULT_DEPTH, offset + p.limit + 20);
  return {
    term: p.q.trim(),
    where,
    sort: p.sort,
    take,
    steps: matchSteps(p.q),
    facets: true,
    priceRanges: PRICE_RANGES,
  };
}

/** A shopper's first page for `q`, unfiltered: what warming precomputes. */
export function warmShardQuery(q: string): ShardQuery {
  return shardQuery({ q, sort: "relevance", limit: DEFAULT_PAGE_LIMIT }, {}, 0);
}

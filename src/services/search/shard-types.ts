/** What the Worker asks a search shard (src/durable/search-shard.ts) and what it answers. */

export interface ShardQuery {
  term: string;
  where: Record<string, unknown>;
  sort: "relevance" | "price_asc" | "price_desc" | "rating" | "newest" | "ending_soonest";
  /** How many top hits this shard returns (offset + limit of the merged page). */
  take: number;
  /**
   * Matching steps, strictest first: the shard answers with the first that
   * finds anything (and says which), so a fallback costs no extra round trip.
   */
  steps: MatchStep[];
  facets: boolean;
  priceRanges: { from: number; to: number }[];
}

export interface MatchStep {
  /** Typos forgiven per word (words of 5+ letters). */
  tolerance: number;
  /** How many of the query's words a match may lack (0: every word). */
  missing: number;
}

export interface ShardHit {
  id: string;
  /** rankDoc() of the hit for relevance sorts, else 0. */
  rank: number;
  price: number;
  rating: number;
  created_at: number;
  ends_at: number;
  popularity: number;
}

export interface ShardResult {
  hits: ShardHit[];
  count: number;
  /** Index of the step that found these (steps.length - 1 when none found anything). */
  step: number;
  facets: Record<string, Record<string, number>>;
}

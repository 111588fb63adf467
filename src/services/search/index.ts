/**
 * Search, the public module. Queries fan out to every shard (one Durable Object each, src/durable/
 * search-shard.ts) and are merged here with a score computed from the documents themselves, so
 * results do not depend on the shard count (query.ts). Its files: what a search asks (params.ts),
 * attribute filters (filters.ts), ranking and hit shaping (ranking.ts), keeping the shards up to
 * date (indexing.ts, from the catalog's rows: index-rows.ts), autocomplete (suggest.ts), the
 * documents and tokenizer the shards and the merger share (documents.ts), and the shard's own
 * index, snapshot and query steps (orama-index.ts, shard-snapshot.ts, shard-query.ts, matcher.ts).
 */
export { attributeFilters } from "./filters";
export { RESULTS_TTL_MS, recordSearch, resultsVersion, searchProducts } from "./query";
export { indexProducts, reindexAll, shardStats } from "./indexing";
export { countSearches, suggest } from "./suggest";
export { shardStub } from "./shards";

import { createApp } from "./app";
import { withLimitChecks } from "./lib/platform-limits";
import { handleQueue } from "./queues";
import { hotReads, hotRoute } from "./middleware/hot-reads";
import { countSearch, countView, productViewFacts, searchFacts } from "./routes/cache-hits";
import { admitSearch } from "./middleware/write-limit";
import { RESULTS_TTL_MS, resultsVersion } from "./services/search";
import { runScheduled } from "./scheduled";

export { CartObject } from "./durable/cart";
export { InventoryItem } from "./durable/inventory-item";
export { InventoryBucket } from "./durable/inventory-bucket";
export { RateLimiter } from "./durable/rate-limiter";
export { SearchShard } from "./durable/search-shard";
export { AuctionObject } from "./durable/auction";

const app = createApp();
const appFetch = (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx);
// Hot anonymous reads from the isolate's memory, in front of the middleware chain (src/middleware/hot-reads.ts).
const front = hotReads([
  hotRoute.productPage(countView, productViewFacts),
  hotRoute.exact("/store"),
  hotRoute.exact("/categories"),
  hotRoute.exact("/feed", true),
  // A search answer lives as long as the search module's own result cache (15 s), and no longer than an index write here.
  hotRoute.search({
    onHit: countSearch,
    factsOf: searchFacts,
    admit: admitSearch,
    version: resultsVersion,
    ttlMs: RESULTS_TTL_MS,
  }),
]);

// Each invocation sees its bindings through the platform-limit checks when LIMIT_CHECKS is "on"
// (every test run); otherwise withLimitChecks returns env itself.
export default {
  fetch: (request, env, ctx) => front(request, withLimitChecks(env), ctx, appFetch),
  queue: (batch, env, ctx) => handleQueue(batch, withLimitChecks(env), ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, withLimitChecks(env), ctx),
} satisfies ExportedHandler<Env>;

import { createApp } from "./app";
import { withLimitChecks } from "./lib/platform-limits";
import { handleQueue } from "./queues";
import { hotReads, hotRoute } from "./middleware/hot-reads";
import { countView, productViewFacts } from "./routes/cache-hits";
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
]);

// Each invocation sees its bindings through the platform-limit checks when LIMIT_CHECKS is "on"
// (every test run); otherwise withLimitChecks returns env itself.
export default {
  fetch: (request, env, ctx) => front(request, withLimitChecks(env), ctx, appFetch),
  queue: (batch, env, ctx) => handleQueue(batch, withLimitChecks(env), ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, withLimitChecks(env), ctx),
} satisfies ExportedHandler<Env>;

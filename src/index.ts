import { createApp } from "./app";
import { withLimitChecks } from "./lib/platform-limits";
import { handleQueue } from "./queues";
import { runScheduled } from "./scheduled";

export { CartObject } from "./durable/cart";
export { InventoryItem } from "./durable/inventory-item";
export { InventoryBucket } from "./durable/inventory-bucket";
export { RateLimiter } from "./durable/rate-limiter";
export { SearchShard } from "./durable/search-shard";
export { AuctionObject } from "./durable/auction";

const app = createApp();

// Each invocation sees its bindings through the platform-limit checks when LIMIT_CHECKS is "on"
// (every test run); otherwise withLimitChecks returns env itself.
export default {
  fetch: (request, env, ctx) => app.fetch(request, withLimitChecks(env), ctx),
  queue: (batch, env, ctx) => handleQueue(batch, withLimitChecks(env), ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, withLimitChecks(env), ctx),
} satisfies ExportedHandler<Env>;

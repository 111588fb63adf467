import { createApp } from "./app";
import { handleQueue } from "./queues";
import { runScheduled } from "./scheduled";

export { CartObject } from "./durable/cart";
export { InventoryItem } from "./durable/inventory-item";
export { InventoryBucket } from "./durable/inventory-bucket";
export { RateLimiter } from "./durable/rate-limiter";
export { SearchShard } from "./durable/search-shard";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: runScheduled,
} satisfies ExportedHandler<Env>;

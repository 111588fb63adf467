import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";

/**
 * Anonymous catalog reads served from the Cache API (the data center's cache, shared by every
 * isolate there), with short TTLs: a product page 5 s, the category tree and
 * suggestions 30 s (search 1 s: a new product is searchable within 2 s). Writers purge what they change (`purgeEdgeCache`): every product write and
 * every stock move goes through `invalidateProduct`, which purges the product's page, so a page
 * is never older than the last change seen in this data center, and at most a TTL older than one
 * made elsewhere. Prices at checkout never come from here (checkout reads them fresh).
 *
 * Only anonymous GETs are cached (no Authorization, no guest cart): a signed-in answer may differ.
 * A hit says `X-Cache: HIT`. ETags and 304s are answered by Hono's etag middleware on these routes.
 */
const ORIGIN = "https://edge-cache.internal";

function cacheKey(path: string, search = ""): Request {
  return new Request(`${ORIGIN}${path}${search}`);
}

function canonicalSearch(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return params.length ? `?${new URLSearchParams(params).toString()}` : "";
}

export interface EdgeCacheOptions {
  ttlSeconds: number;
  /** Whether the query string is part of the key (search), or ignored (a product page). */
  withQuery?: boolean;
  /** Work a hit must still do (a product view still counts for the seller's analytics). */
  onHit?: (c: Context<AppEnv>, cached: Response) => Promise<void>;
}

export function edgeCache(opts: EdgeCacheOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" || c.req.header("authorization") || c.req.header("x-cart-id") || typeof caches === "undefined") return next();
    const url = new URL(c.req.url);
    const key = cacheKey(url.pathname, opts.withQuery ? canonicalSearch(url) : "");
    const hit = await caches.default.match(key);
    if (hit) {
      if (opts.onHit) await opts.onHit(c, hit.clone());
      const res = new Response(hit.body, hit);
      res.headers.set("X-Cache", "HIT");
      c.res = res;
      return;
    }
    await next();
    if (c.res.status !== 200) return;
    const stored = new Response(c.res.clone().body, c.res);
    stored.headers.set("Cache-Control", `public, max-age=${opts.ttlSeconds}`);
    stored.headers.delete("X-Request-Id");
    stored.headers.delete("Set-Cookie");
    const put = caches.default.put(key, stored);
    try {
      c.executionCtx.waitUntil(put);
    } catch {
      await put;
    }
    c.res.headers.set("X-Cache", "MISS");
  });
}

/** Drops a cached path (its query-less key: a product page, the category tree). */
export async function purgeEdgeCache(path: string): Promise<void> {
  if (typeof caches === "undefined") return;
  await caches.default.delete(cacheKey(path));
}

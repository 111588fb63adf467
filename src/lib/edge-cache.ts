import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";
import { TtlCache } from "./ttl-cache";
import { config } from "./config";

/**
 * Anonymous catalog reads served from the Cache API (the data center's cache, shared by every
 * isolate there), with short TTLs: a product page 5 s, the category tree and
 * suggestions 30 s (search 1 s: a new product is searchable within 2 s). Writers purge what they change (`purgeEdgeCache`): every product write and
 * every stock move goes through `invalidateProduct`, which purges the product's page, so a page
 * is never older than the last change seen in this data center, and at most a TTL older than one
 * made elsewhere. Prices at checkout never come from here (checkout reads them fresh).
 *
 * Only anonymous GETs are cached (no Authorization, no guest cart): a signed-in answer may differ.
 * A hit says `X-Cache: HIT`. A cached answer's ETag answers If-None-Match with a 304 here; the
 * product route sets a version ETag itself (no hashing), the other routes get Hono's etag.
 */
const ORIGIN = "https://edge-cache.internal";

/**
 * In front of the Cache API, each isolate keeps the answers it served in the last second or two
 * (at most the route's TTL), so a hot page costs no cache round trip at all. Writers in this
 * isolate purge it together with the Cache API; another isolate's copy is at most that old.
 */
interface Memo {
  body: string;
  status: number;
  /** The answer's headers with `X-Cache: HIT`, ready for a new Response. */
  headers: [string, string][];
  etag: string | null;
  /** What `onHit` needs from the body, read once when the memo fills (not parsed per hit). */
  facts: unknown;
}
export const L1_MAX_MS = 2000;
/** Every isolate memo keyed by `memoKey`, so a purge reaches each (this one's, and the hot-read front's). */
const memos = new Set<{ delete(key: string): void }>();

export function registerMemo(memo: { delete(key: string): void }): void {
  memos.add(memo);
}

function cacheKey(path: string, search = ""): Request {
  return new Request(`${ORIGIN}${path}${search}`);
}

/** The key of a path (and canonical query) in the isolate memos: what `purgeEdgeCache(path)` drops. */
export function memoKey(path: string, search = ""): string {
  return `${ORIGIN}${path}${search}`;
}

export function canonicalSearch(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return params.length ? `?${new URLSearchParams(params).toString()}` : "";
}

export interface EdgeCacheOptions {
  ttlSeconds: number;
  /** Whether the query string is part of the key (search), or ignored (a product page). */
  withQuery?: boolean;
  /**
   * Work a hit must still do (a product view still counts for the seller's analytics), given
   * what `factsOf` took from the cached body when this isolate first held it.
   */
  onHit?: (c: Context<AppEnv>, facts: unknown) => Promise<void>;
  factsOf?: (body: string) => unknown;
}

/** If-None-Match against an ETag (weak comparison, lists and `*` included). */
export function matchesETag(ifNoneMatch: string | undefined, etag: string | null): boolean {
  if (!ifNoneMatch || !etag) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: { ETag: etag, "X-Cache": "HIT" } });
}

export function edgeCache(opts: EdgeCacheOptions) {
  const remember = (body: string, status: number, from: Headers): Memo => {
    const headers = new Headers(from);
    headers.set("X-Cache", "HIT");
    return { body, status, headers: [...headers], etag: headers.get("ETag"), facts: opts.factsOf?.(body) };
  };
  const memo = new TtlCache<Memo>(
    Math.min(L1_MAX_MS, opts.ttlSeconds * 1000),
    2_000,
    8 * 1024 * 1024,
    (m, key) => (m.body.length + key.length) * 2 + 512,
  );
  memos.add(memo);
  return createMiddleware<AppEnv>(async (c, next) => {
    if (
      c.req.method !== "GET" ||
      !config(c.env).edgeCache ||
      c.req.header("authorization") ||
      c.req.header("x-cart-id") ||
      typeof caches === "undefined"
    )
      return next();
    const url = new URL(c.req.url);
    const key = cacheKey(url.pathname, opts.withQuery ? canonicalSearch(url) : "");
    // A hit from this isolate's memo, else from the data center's cache (which then fills the memo).
    let near = memo.get(key.url);
    if (!near) {
      const hit = await caches.default.match(key);
      if (hit) memo.set(key.url, (near = remember(await hit.text(), hit.status, hit.headers)));
    }
    if (near) {
      // A hot page costs one Response built from ready parts: no clone, no parse, no header edits.
      if (opts.onHit) await opts.onHit(c, near.facts);
      if (matchesETag(c.req.header("if-none-match"), near.etag)) {
        c.res = notModified(near.etag!);
        return;
      }
      c.res = new Response(near.body, { status: near.status, headers: near.headers });
      return;
    }
    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.clone().text();
    const headers = new Headers(c.res.headers);
    headers.delete("X-Request-Id");
    headers.delete("Set-Cookie");
    memo.set(key.url, remember(body, 200, headers));
    const stored = new Response(body, { status: 200, headers });
    stored.headers.set("Cache-Control", `public, max-age=${opts.ttlSeconds}`);
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
  const key = cacheKey(path);
  for (const m of memos) m.delete(key.url);
  if (typeof caches === "undefined") return;
  await caches.default.delete(key);
}

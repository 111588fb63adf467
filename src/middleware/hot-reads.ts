import { withBackground } from "../lib/background";
import { config } from "../lib/config";
import { L1_MAX_MS, canonicalSearch, memoKey, registerMemo } from "../lib/edge-cache";
import { setLogLevel } from "../lib/logger";
import { TtlCache } from "../lib/ttl-cache";
import { recordRequest, requestIdFor } from "./request-context";

/**
 * The hottest anonymous reads (a product page, the home page, the category tree, the guest
 * feed) answered from this isolate's memory in front of the app, without the middleware chain
 * and router: an answer the app gave in the last two seconds, with every header it had (security
 * headers, CORS, ETag), a fresh request id, and the same access log line and metric. Writers
 * purge it with the edge cache (`purgeEdgeCache` drops the same keys), so a page is never older
 * than the last change seen in this isolate, and at most two seconds older than one made in
 * another, which is what the edge cache behind it already allows (5 to 30 s).
 *
 * Only what the app would answer the same way to anyone goes through here: a GET without
 * Authorization, a guest cart, a cookie, an Origin (CORS answers depend on it), a D1 bookmark
 * (read-your-writes goes to the database) or If-None-Match (the app answers the 304). Searches
 * and suggestions are not here: they count against a per-IP limit in the middleware.
 */
interface Route {
  /** The route's pattern in the metric, as the app's router would name it. */
  routePath: string;
  match: (path: string) => boolean;
  withQuery: boolean;
  /** Work a hit must still do, with what `factsOf` read from the body once. */
  onHit?: (env: Env, requestId: string, facts: unknown) => Promise<void>;
  factsOf?: (body: string) => unknown;
}

interface Answer {
  /** Encoded once: a Response from bytes skips re-encoding the text on every hit. */
  body: Uint8Array;
  status: number;
  /** Copied into each Response (a Headers copy is cheaper than building one from pairs). */
  headers: Headers;
  facts: unknown;
}
const encoder = new TextEncoder();

const PRODUCT_PAGE = /^\/products\/prd_[0-9A-Za-z]+$/;
const memo = new TtlCache<Answer>(
  L1_MAX_MS,
  2_000,
  16 * 1024 * 1024,
  (a, key) => a.body.byteLength + key.length * 2 + 1024,
);
registerMemo(memo);

const SHARED_ONLY = ["authorization", "x-cart-id", "cookie", "origin", "x-d1-bookmark", "if-none-match"];
/** Headers that belong to one answer, never replayed to another request. */
const PER_REQUEST = new Set(["x-request-id", "x-d1-bookmark", "set-cookie"]);

export function hotReads(routes: Route[]) {
  const routeFor = (path: string) => routes.find((r) => r.match(path));
  return async function serve(
    request: Request,
    env: Env,
    ctx: ExecutionContext,
    app: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>,
  ): Promise<Response> {
    if (request.method !== "GET" || SHARED_ONLY.some((h) => request.headers.has(h))) return app(request, env, ctx);
    const url = new URL(request.url);
    const route = routeFor(url.pathname);
    if (!route || !config(env).edgeCache) return app(request, env, ctx);
    const key = memoKey(url.pathname, route.withQuery ? canonicalSearch(url) : "");
    const near = memo.get(key);
    if (!near) {
      const res = await app(request, env, ctx);
      const shared = !res.headers.has("set-cookie") && !/no-store|private/.test(res.headers.get("cache-control") ?? "");
      if (res.status === 200 && shared) {
        const body = await res.clone().text();
        const headers = new Headers([...res.headers].filter(([k]) => !PER_REQUEST.has(k)));
        headers.set("X-Cache", "HIT");
        memo.set(key, { body: encoder.encode(body), status: 200, headers, facts: route.factsOf?.(body) });
      }
      return res;
    }
    setLogLevel(env.LOG_LEVEL);
    const started = Date.now();
    const requestId = requestIdFor(request.headers.get("x-request-id"));
    if (route.onHit) ctx.waitUntil(withBackground(ctx, () => route.onHit!(env, requestId, near.facts)));
    const res = new Response(near.body, { status: near.status, headers: near.headers });
    res.headers.set("X-Request-Id", requestId);
    recordRequest(env, request, { requestId, path: url.pathname, routePath: route.routePath, status: 200, started });
    return res;
  };
}

export const hotRoute = {
  productPage: (onHit: Route["onHit"], factsOf: Route["factsOf"]): Route => ({
    routePath: "/products/:product_id",
    match: (p) => PRODUCT_PAGE.test(p),
    withQuery: false,
    onHit,
    factsOf,
  }),
  exact: (path: string, withQuery = false): Route => ({ routePath: path, match: (p) => p === path, withQuery }),
};

import { getPath } from "hono/utils/url";
import { withBackground } from "../lib/background";
import { config } from "../lib/config";
import { L1_MAX_MS, canonicalSearch, memoKey, registerMemo } from "../lib/edge-cache";
import { errorFields, log, setLogLevel } from "../lib/logger";
import { TtlCache } from "../lib/ttl-cache";
import { recordRequest, requestIdFor } from "./request-context";

/**
 * The hottest anonymous reads (a product page, the home page, the category tree, the guest
 * feed, a search) answered from this isolate's memory in front of the app, without the middleware
 * chain and router: an answer the app gave in the last two seconds (a search: in the search
 * module's own result TTL), with every header it had (security
 * headers, CORS, ETag), a fresh request id, and the same access log line and metric. Writers
 * purge it with the edge cache (`purgeEdgeCache` drops the same keys), so a page is never older
 * than the last change seen in this isolate, and at most two seconds older than one made in
 * another, which is what the edge cache behind it already allows (5 to 30 s).
 *
 * Only what the app would answer the same way to anyone goes through here: a GET without
 * Authorization, a guest cart, a cookie, an Origin (CORS answers depend on it), a D1 bookmark
 * (read-your-writes goes to the database) or If-None-Match (the app answers the 304). A search
 * hit still counts against its per-IP limit (`admit`) and is still recorded for the popular
 * queries (`onHit`); its key carries the search index's version in this isolate, so an indexing
 * write seen here is never answered from before it.
 */
interface Route {
  /** The route's pattern in the metric, as the app's router would name it. */
  routePath: string;
  match: (path: string) => boolean;
  withQuery: boolean;
  /**
   * Work a hit must still do, with what `factsOf` read from the body (and URL) once. It is not
   * awaited: what must outlive the answer goes through `background()` (the view and search
   * coalescers do), which finds this request's waitUntil.
   */
  onHit?: (env: Env, requestId: string, facts: unknown) => Promise<void>;
  factsOf?: (body: string, url: string) => unknown;
  /** Whether a hit may be answered here (a rate limit); refused, the app answers (and refuses). */
  admit?: (request: Request, env: Env) => Promise<boolean>;
  /** Part of the key: a version the route's source bumps on every write this isolate sees. */
  version?: () => number;
  /** How long an answer is kept (default the edge memos' 2 s). */
  ttlMs?: number;
}

interface Answer {
  /** Encoded once: a Response from bytes skips re-encoding the text on every hit. */
  body: Uint8Array;
  status: number;
  /**
   * Copied into each Response. A plain record is the cheapest form to hand to the constructor
   * (measured: building from pairs cost 12% of a hit's profile, copying a Headers object 10%).
   */
  headers: Record<string, string>;
  facts: unknown;
}
const encoder = new TextEncoder();

const PRODUCT_PAGE = /^\/products\/prd_[0-9A-Za-z]+$/;
/** The memo budget per route, in bytes (an isolate has 128 MB; the caches behind it hold their own). */
const ROUTE_BYTES = 16 * 1024 * 1024;

/** Each route's answers in a memo of its own, so a route's TTL and a burst of one route's keys stay its own. */
function memoFor(route: Route): TtlCache<Answer> {
  const memo = new TtlCache<Answer>(
    route.ttlMs ?? L1_MAX_MS,
    2_000,
    ROUTE_BYTES,
    (a, key) => a.body.byteLength + key.length * 2 + 1024,
  );
  registerMemo(memo);
  return memo;
}

const SHARED_ONLY = ["authorization", "x-cart-id", "cookie", "origin", "x-d1-bookmark", "if-none-match"];
/** Headers that belong to one answer, never replayed to another request. */
const PER_REQUEST = new Set(["x-request-id", "x-d1-bookmark", "set-cookie"]);

export function hotReads(routes: Route[]) {
  const memos = new Map(routes.map((r) => [r, memoFor(r)]));
  const routeFor = (path: string) => routes.find((r) => r.match(path));
  return async function serve(
    request: Request,
    env: Env,
    ctx: ExecutionContext,
    app: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>,
  ): Promise<Response> {
    // The route check first: it is one string test, and most requests are not hot reads. The
    // path is the one the app's router matches (Hono's own extraction, no URL object).
    const path = getPath(request);
    const route = request.method === "GET" ? routeFor(path) : undefined;
    if (!route || SHARED_ONLY.some((h) => request.headers.has(h)) || !config(env).edgeCache) {
      return app(request, env, ctx);
    }
    const base = memoKey(path, route.withQuery ? canonicalSearch(new URL(request.url)) : "");
    const key = route.version ? `${base}#${route.version()}` : base;
    const memo = memos.get(route)!;
    const near = memo.get(key);
    if (!near) {
      const res = await app(request, env, ctx);
      const shared = !res.headers.has("set-cookie") && !/no-store|private/.test(res.headers.get("cache-control") ?? "");
      if (res.status === 200 && shared) {
        const body = await res.clone().text();
        const headers: Record<string, string> = {};
        for (const [k, v] of res.headers) if (!PER_REQUEST.has(k)) headers[k] = v;
        headers["x-cache"] = "HIT";
        memo.set(key, { body: encoder.encode(body), status: 200, headers, facts: route.factsOf?.(body, request.url) });
      }
      return res;
    }
    if (route.admit && !(await route.admit(request, env))) return app(request, env, ctx);
    setLogLevel(env.LOG_LEVEL);
    const started = Date.now();
    const requestId = requestIdFor(request.headers.get("x-request-id"));
    if (route.onHit)
      withBackground(ctx, () => route.onHit!(env, requestId, near.facts)).catch((err) =>
        log("warn", "a hot read's follow-up failed", { request_id: requestId, ...errorFields(err) }),
      );
    const res = new Response(near.body, {
      status: near.status,
      headers: { ...near.headers, "x-request-id": requestId },
    });
    recordRequest(env, request, { requestId, path, routePath: route.routePath, status: 200, started });
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
  search: (parts: Pick<Route, "onHit" | "factsOf" | "admit" | "version" | "ttlMs">): Route => ({
    routePath: "/search",
    match: (p) => p === "/search",
    withQuery: true,
    ...parts,
  }),
};

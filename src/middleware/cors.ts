import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";

/**
 * CORS, answered the way hono/cors answers it, but written onto the final response after the
 * handler. hono/cors sets its headers on `c.res` before the handler runs, which makes Hono build
 * an empty response first and then copy every header onto the handler's: two Response objects
 * more per request. The allowed origins are parsed once per value.
 */
const ALLOW_HEADERS = "Authorization,Content-Type,Idempotency-Key,X-Cart-Id,X-Request-Id,X-D1-Bookmark";
const EXPOSE_HEADERS = "X-Request-Id,X-Cart-Id,Retry-After,Idempotent-Replayed,X-D1-Bookmark";
const ALLOW_METHODS = "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY";
const MAX_AGE_SECONDS = "600";

let parsed: { source: string; any: boolean; origins: Set<string> } | undefined;

/** The Access-Control-Allow-Origin for a request's Origin under CORS_ORIGINS ("*" or a comma-separated list). */
export function allowedOrigin(corsOrigins: string | undefined, origin: string): string | null {
  const source = String(corsOrigins ?? "*");
  if (parsed?.source !== source) {
    const list = source.split(",").map((o) => o.trim());
    parsed = { source, any: list.includes("*"), origins: new Set(list) };
  }
  if (parsed.any) return "*";
  return parsed.origins.has(origin) ? origin : null;
}

/** Headers may be set on the response: one made elsewhere (a fetch's) is immutable, so it is copied first. */
function writableHeaders(c: Context<AppEnv>): Headers {
  try {
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }
  return c.res.headers;
}

export const corsHeaders = createMiddleware<AppEnv>(async (c, next) => {
  const allow = allowedOrigin(c.env.CORS_ORIGINS, c.req.header("origin") ?? "");
  if (c.req.method === "OPTIONS") {
    const headers = new Headers({
      "Access-Control-Expose-Headers": EXPOSE_HEADERS,
      "Access-Control-Max-Age": MAX_AGE_SECONDS,
      "Access-Control-Allow-Methods": ALLOW_METHODS,
      "Access-Control-Allow-Headers": ALLOW_HEADERS,
      Vary: "Origin, Access-Control-Request-Headers",
    });
    if (allow) headers.set("Access-Control-Allow-Origin", allow);
    return new Response(null, { status: 204, statusText: "No Content", headers });
  }
  await next();
  const headers = writableHeaders(c);
  if (allow) headers.set("Access-Control-Allow-Origin", allow);
  headers.append("Vary", "Origin");
});

import { createMiddleware } from "hono/factory";
import { newId } from "../lib/ids";
import { withBackground } from "../lib/background";
import { log, setLogLevel } from "../lib/logger";
import { writeMetric } from "../lib/metrics";
import type { AppEnv } from "../types";

const INCOMING_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` if it is sane), echoes
 * it in the response, and writes one structured access-log line per request.
 */
/** The caller's `X-Request-Id` if it is sane, else a new id. */
export function requestIdFor(incoming: string | null | undefined): string {
  return incoming && INCOMING_ID.test(incoming) ? incoming : newId("request");
}

/** The one access-log line and request metric of a request, however it was answered. */
export function recordRequest(
  env: Partial<Env>,
  req: Request,
  r: { requestId: string; path: string; routePath: string; status: number; started: number; userId?: string },
): void {
  writeMetric(
    env,
    "request",
    [req.method, r.routePath, String(r.status)],
    [Date.now() - r.started, r.status >= 500 ? 1 : 0],
  );
  log(r.status >= 500 ? "error" : "info", "request", {
    request_id: r.requestId,
    method: req.method,
    path: r.path,
    status: r.status,
    duration_ms: Date.now() - r.started,
    user_id: r.userId,
    colo: (req as { cf?: { colo?: string } }).cf?.colo,
  });
}

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  setLogLevel(c.env.LOG_LEVEL);
  const requestId = requestIdFor(c.req.header("x-request-id"));
  c.set("requestId", requestId);
  c.set("auth", null);
  const started = Date.now();
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // No execution context (app.request in some tests): background work is awaited inline.
  }
  if (ctx) await withBackground(ctx, () => next());
  else await next();
  c.res.headers.set("X-Request-Id", requestId);
  // The matched route pattern, not the raw path, so ids do not explode the metric's cardinality.
  recordRequest(c.env, c.req.raw, {
    requestId,
    path: c.req.path,
    routePath: c.req.routePath,
    status: c.res.status,
    started,
    userId: c.get("auth")?.userId,
  });
});

/** The client's address as Cloudflare saw it; used only for rate limits. */
export function clientIp(req: Request): string {
  return req.headers.get("cf-connecting-ip") ?? "unknown";
}

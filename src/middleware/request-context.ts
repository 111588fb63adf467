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
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  setLogLevel(c.env.LOG_LEVEL);
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : newId("request");
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
  const status = c.res.status;
  // The matched route pattern, not the raw path, so ids do not explode the metric's cardinality.
  writeMetric(
    c.env,
    "request",
    [c.req.method, c.req.routePath, String(status)],
    [Date.now() - started, status >= 500 ? 1 : 0],
  );
  log(status >= 500 ? "error" : "info", "request", {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    status,
    duration_ms: Date.now() - started,
    user_id: c.get("auth")?.userId,
    colo: (c.req.raw as { cf?: { colo?: string } }).cf?.colo,
  });
});

/** The client's address as Cloudflare saw it; used only for rate limits. */
export function clientIp(req: Request): string {
  return req.headers.get("cf-connecting-ip") ?? "unknown";
}

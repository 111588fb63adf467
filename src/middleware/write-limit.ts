import { createMiddleware } from "hono/factory";
import { takeOrThrow, type LimitKey } from "../services/rate-limit";
import type { AppEnv } from "../types";
import { clientIp } from "./request-context";

/**
 * A per-user and per-IP token bucket on every write (POST, PATCH, PUT, DELETE),
 * in the RateLimiter Durable Objects: WRITE_LIMIT_PER_MINUTE per user (ten times
 * that per IP, which many users may share); 0 turns it off (benchmarks). Auth
 * routes have their own, stricter limits; provider webhooks are exempt (the
 * provider retries and is verified by signature).
 */
const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const EXEMPT = [/^\/auth\//, /^\/payments\/webhooks\//];

export const writeLimit = createMiddleware<AppEnv>(async (c, next) => {
  const perMinute = Number(c.env.WRITE_LIMIT_PER_MINUTE ?? 600);
  if (!WRITES.has(c.req.method) || !(perMinute > 0) || EXEMPT.some((re) => re.test(c.req.path))) return next();
  const auth = c.get("auth");
  const limits: LimitKey[] = [{ key: `write:ip:${clientIp(c.req.raw)}`, policy: { capacity: perMinute * 10, refillPerSecond: (perMinute * 10) / 60 } }];
  if (auth) limits.push({ key: `write:user:${auth.userId}`, policy: { capacity: perMinute, refillPerSecond: perMinute / 60 } });
  await takeOrThrow(c.env, limits);
  return next();
});

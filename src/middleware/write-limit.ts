import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";

/**
 * Per-user and per-IP limits on every write (POST, PATCH, PUT, DELETE), through
 * the platform's Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml:
 * 600 writes a minute per user, 6,000 per IP, which many users may share). The
 * binding counts in the Worker's own location without a round trip, so a write
 * pays no Durable Object call for it; its count is per location and approximate,
 * which is what a flood guard needs. Exact, global counts (login attempts,
 * sign-ups) stay in the RateLimiter objects. `WRITE_LIMITS = "off"` turns these
 * two off (browser tests from one address). Auth routes have their own, stricter
 * limits; provider webhooks are exempt (the provider retries and is verified by
 * signature).
 */
const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const EXEMPT = [/^\/auth\//, /^\/payments\/webhooks\//];
const PERIOD_SECONDS = 60;

function limited(): never {
  throw new ApiError("rate_limited", "Too many writes; try again in a minute", { headers: { "Retry-After": String(PERIOD_SECONDS) } });
}

export const writeLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (!WRITES.has(c.req.method) || c.env.WRITE_LIMITS === "off" || EXEMPT.some((re) => re.test(c.req.path))) return next();
  const auth = c.get("auth");
  // Behind Cloudflare every request carries the client's address; without one (a local server) there is no IP to count.
  const ip = c.req.header("cf-connecting-ip");
  const [byIp, byUser] = await Promise.all([
    ip ? c.env.WRITE_LIMIT_IP.limit({ key: ip }) : { success: true },
    auth ? c.env.WRITE_LIMIT_USER.limit({ key: auth.userId }) : { success: true },
  ]);
  if (!byIp.success || !byUser.success) limited();
  return next();
});

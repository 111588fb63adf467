import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";
import { config } from "../lib/config";

/**
 * Flood guards through the platform's Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml),
 * which count in the Worker's own location without a round trip, so a request pays no Durable
 * Object call for them; the count is per location and approximate, which is what a flood guard
 * needs. Exact, global counts (login attempts, sign-ups) stay in the RateLimiter objects.
 *
 * - every write (POST, PATCH, PUT, DELETE): 600 a minute per user, 6,000 per IP (many users may
 *   share one);
 * - a write without a token (a guest cart, a token refresh): 300 a minute per IP;
 * - a search or suggestion (each fans out to every shard): 600 a minute per IP.
 *
 * `WRITE_LIMITS = "off"` turns them all off (the bench, browser tests from one address). Sign-up
 * and login have their own, stricter limits; provider webhooks are exempt (the provider retries
 * and is verified by signature).
 */
const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const EXEMPT = [/^\/auth\/(signup|login)$/, /^\/payments\/webhooks\//];
const SEARCHES = new Set(["/search", "/suggest", "/store/search"]);
const PERIOD_SECONDS = 60;

function limited(what: string): never {
  throw new ApiError("rate_limited", `Too many ${what}; try again in a minute`, {
    headers: { "Retry-After": String(PERIOD_SECONDS) },
  });
}

/**
 * Counts a search against its address's limit: false when over it. Behind Cloudflare every request
 * carries the client's address; without one (a local server) there is no IP to count.
 */
async function searchAllowed(env: Env, ip: string | null | undefined): Promise<boolean> {
  if (!ip || !config(env).writeLimits) return true;
  return (await env.SEARCH_LIMIT_IP.limit({ key: ip })).success;
}

/** The same for a search answered in front of the app (src/middleware/hot-reads.ts). */
export const admitSearch = (request: Request, env: Env) => searchAllowed(env, request.headers.get("cf-connecting-ip"));

export const writeLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (!config(c.env).writeLimits) return next();
  const ip = c.req.header("cf-connecting-ip");
  if (c.req.method === "GET") {
    if (SEARCHES.has(c.req.path) && !(await searchAllowed(c.env, ip))) limited("searches");
    return next();
  }
  if (!WRITES.has(c.req.method) || EXEMPT.some((re) => re.test(c.req.path))) return next();
  const auth = c.get("auth");
  const [byIp, byCaller] = await Promise.all([
    ip ? c.env.WRITE_LIMIT_IP.limit({ key: ip }) : { success: true },
    auth
      ? c.env.WRITE_LIMIT_USER.limit({ key: auth.userId })
      : ip
        ? c.env.ANON_WRITE_LIMIT_IP.limit({ key: ip })
        : { success: true },
  ]);
  if (!byIp.success || !byCaller.success) limited("writes");
  return next();
});

import type { BucketPolicy, TakeResult } from "../durable/rate-limiter";
import { ApiError } from "../lib/errors";

/**
 * Rate-limit policies and the calls to the RateLimiter objects that enforce
 * them. Login attempts take a token from the account's and the client IP's
 * bucket before the password is checked; a successful login gives them back,
 * so the buckets in effect count failures.
 */
export const LOGIN_PER_ACCOUNT: BucketPolicy = { capacity: 10, refillPerSecond: 10 / 60 };
export const LOGIN_PER_IP: BucketPolicy = { capacity: 30, refillPerSecond: 30 / 60 };
/** Sign-ups per IP per hour: SIGNUP_LIMIT_PER_HOUR (20 in production; `npm start` raises it, since every local client shares 127.0.0.1). */
export function signupPerIp(env: { SIGNUP_LIMIT_PER_HOUR?: string }): BucketPolicy {
  const n = Number(env.SIGNUP_LIMIT_PER_HOUR ?? 20);
  const perHour = Number.isFinite(n) && n > 0 ? n : 20;
  return { capacity: perHour, refillPerSecond: perHour / 3600 };
}

export interface LimitKey {
  key: string;
  policy: BucketPolicy;
}

function stub(env: Pick<Env, "RATE_LIMITER">, key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}

/** Takes one token from each bucket; if any is empty, refunds the others and throws 429. */
export async function takeOrThrow(env: Pick<Env, "RATE_LIMITER">, limits: LimitKey[]): Promise<void> {
  const results: TakeResult[] = await Promise.all(limits.map((l) => stub(env, l.key).take(l.policy)));
  const denied = results.filter((r) => !r.allowed);
  if (denied.length === 0) return;
  await Promise.all(limits.map((l, i) => (results[i].allowed ? stub(env, l.key).refund(l.policy) : undefined)));
  const retryAfter = Math.max(...denied.map((r) => r.retryAfterSeconds));
  throw new ApiError("rate_limited", "Too many attempts; try again later", {
    headers: { "Retry-After": String(retryAfter) },
  });
}

export async function refund(env: Pick<Env, "RATE_LIMITER">, limits: LimitKey[]): Promise<void> {
  await Promise.all(limits.map((l) => stub(env, l.key).refund(l.policy)));
}

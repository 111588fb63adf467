import type { BackoffPolicy, BackoffState, BucketPolicy, TakeResult } from "../durable/rate-limiter";
import { ApiError } from "../lib/errors";
import { config } from "../lib/config";

/**
 * Rate-limit policies and the calls to the RateLimiter objects that enforce them (one object per
 * key, so counts are exact and global).
 *
 * Failed logins are throttled where the attacker is: per (account, client address), 5 free
 * failures and then an exponential block (1 s, 2 s, 4 s … 15 min). The account as a whole has a
 * higher, slower ceiling (50 failures an hour); when it is spent, an address with no failures of
 * its own is slowed down, never refused, so an attacker cannot lock the owner out. The client
 * address has its own bucket across accounts (credential stuffing). A success clears its pair and
 * gives its tokens back, so the buckets in effect count failures.
 */
export const LOGIN_PER_PAIR: BackoffPolicy = { free: 5, baseSeconds: 1, maxSeconds: 900, forgetAfterSeconds: 3600 };
export const LOGIN_PER_ACCOUNT: BucketPolicy = { capacity: 50, refillPerSecond: 50 / 3600 };
export const LOGIN_PER_IP: BucketPolicy = { capacity: 30, refillPerSecond: 30 / 60 };
/** The delay a fresh address gets while the account's ceiling is spent. */
export const LOGIN_SLOWDOWN_MS = 1000;
/** Sign-ups per IP per hour: SIGNUP_LIMIT_PER_HOUR (20 in production; `npm start` raises it, since every local client shares 127.0.0.1). */
export function signupPerIp(env: { SIGNUP_LIMIT_PER_HOUR?: string }): BucketPolicy {
  const perHour = config(env as Partial<Env>).signupLimitPerHour;
  return { capacity: perHour, refillPerSecond: perHour / 3600 };
}

export interface LimitKey {
  key: string;
  policy: BucketPolicy;
}

export function backoffState(env: Pick<Env, "RATE_LIMITER">, key: string): Promise<BackoffState> {
  return stub(env, key).backoffState();
}
export function backoffFail(env: Pick<Env, "RATE_LIMITER">, key: string, policy: BackoffPolicy): Promise<BackoffState> {
  return stub(env, key).backoffFail(policy);
}
export function backoffReset(env: Pick<Env, "RATE_LIMITER">, key: string): Promise<void> {
  return stub(env, key).backoffReset();
}

/** Takes one token; false when the bucket is empty (nothing thrown). */
export async function tryTake(env: Pick<Env, "RATE_LIMITER">, limit: LimitKey): Promise<boolean> {
  return (await stub(env, limit.key).take(limit.policy)).allowed;
}

export function rateLimited(retryAfterSeconds: number): ApiError {
  return new ApiError("rate_limited", "Too many attempts; try again later", {
    headers: { "Retry-After": String(Math.max(1, retryAfterSeconds)) },
  });
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

import { DurableObject } from "cloudflare:workers";

/**
 * A token bucket, one Durable Object per key (e.g. `login:ip:203.0.113.9`).
 * A single object serialises its calls, so concurrent attempts cannot both
 * take the last token. When the bucket would be full again an alarm deletes
 * its storage, so idle keys cost nothing.
 */
export interface BucketPolicy {
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until `cost` tokens are available again (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const STATE_KEY = "bucket";
const BACKOFF_KEY = "backoff";

export interface BackoffPolicy {
  /** Failures allowed before any block. */
  free: number;
  baseSeconds: number;
  maxSeconds: number;
  forgetAfterSeconds: number;
}

export interface BackoffState {
  failures: number;
  blockedForSeconds: number;
}

interface Backoff {
  failures: number;
  blockedUntil: number;
}

export class RateLimiter extends DurableObject<Env> {
  private async load(policy: BucketPolicy, now: number): Promise<Bucket> {
    const stored = await this.ctx.storage.get<Bucket>(STATE_KEY);
    if (!stored) return { tokens: policy.capacity, updatedAt: now };
    const elapsed = Math.max(0, now - stored.updatedAt) / 1000;
    return { tokens: Math.min(policy.capacity, stored.tokens + elapsed * policy.refillPerSecond), updatedAt: now };
  }

  private async save(policy: BucketPolicy, bucket: Bucket): Promise<void> {
    await this.ctx.storage.put(STATE_KEY, bucket);
    const msUntilFull = ((policy.capacity - bucket.tokens) / policy.refillPerSecond) * 1000;
    await this.ctx.storage.setAlarm(bucket.updatedAt + Math.ceil(msUntilFull) + 1000);
  }

  async take(policy: BucketPolicy, cost = 1): Promise<TakeResult> {
    const now = Date.now();
    const bucket = await this.load(policy, now);
    if (bucket.tokens < cost) {
      const retryAfterSeconds = Math.max(1, Math.ceil((cost - bucket.tokens) / policy.refillPerSecond));
      return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterSeconds };
    }
    bucket.tokens -= cost;
    await this.save(policy, bucket);
    return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
  }

  /** Gives tokens back (a login that succeeded does not count as a failure). */
  async refund(policy: BucketPolicy, amount = 1): Promise<void> {
    const now = Date.now();
    const bucket = await this.load(policy, now);
    bucket.tokens = Math.min(policy.capacity, bucket.tokens + amount);
    await this.save(policy, bucket);
  }

  // ---- exponential backoff (failed logins per account and client address) ----

  /** Seconds this key is still blocked for (0: free), and how many failures it has on record. */
  async backoffState(): Promise<BackoffState> {
    const b = await this.ctx.storage.get<Backoff>(BACKOFF_KEY);
    if (!b) return { failures: 0, blockedForSeconds: 0 };
    return { failures: b.failures, blockedForSeconds: Math.max(0, Math.ceil((b.blockedUntil - Date.now()) / 1000)) };
  }

  /**
   * Records a failure. Past `free` failures each one blocks the key for `baseSeconds * 2^n`,
   * capped at `maxSeconds`. The record is forgotten `forgetAfterSeconds` after the last failure.
   */
  async backoffFail(policy: BackoffPolicy): Promise<BackoffState> {
    const now = Date.now();
    const b = (await this.ctx.storage.get<Backoff>(BACKOFF_KEY)) ?? { failures: 0, blockedUntil: 0 };
    b.failures += 1;
    const over = b.failures - policy.free;
    const seconds = over > 0 ? Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (over - 1)) : 0;
    b.blockedUntil = seconds > 0 ? now + seconds * 1000 : 0;
    await this.ctx.storage.put(BACKOFF_KEY, b);
    await this.ctx.storage.setAlarm(now + Math.max(policy.forgetAfterSeconds, seconds) * 1000);
    return { failures: b.failures, blockedForSeconds: seconds };
  }

  /** A success clears the record (the right password from this address). */
  async backoffReset(): Promise<void> {
    await this.ctx.storage.delete(BACKOFF_KEY);
  }

  async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

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

  async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

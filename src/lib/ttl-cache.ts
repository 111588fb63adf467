/**
 * A small per-isolate cache with a time-to-live and LRU eviction. For read
 * paths that may be a moment stale (a product page), never for decisions:
 * checkout asks the inventory object, authorization reads fields that never
 * change (a product's seller). Writers in this isolate delete their keys;
 * other isolates see a change after at most the TTL.
 */
export class TtlCache<V> {
  private map = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: Date.now() + this.ttlMs });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }

  /** Drops the entries whose value fails `keep` (targeted invalidation). */
  retain(keep: (value: V) => boolean): void {
    for (const [key, hit] of this.map) if (!keep(hit.value)) this.map.delete(key);
  }
}

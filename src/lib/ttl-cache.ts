/**
 * A small per-isolate cache with a time-to-live and LRU eviction. For read
 * paths that may be a moment stale (a product page), never for decisions:
 * checkout asks the inventory object, authorization reads fields that never
 * change (a product's seller). Writers in this isolate delete their keys;
 * other isolates see a change after at most the TTL.
 *
 * Bounded by entry count and by bytes (an isolate has 128 MB): each entry's size is estimated
 * once, when it is stored (`sizeOf`, by default the length of its JSON, times two for UTF-16),
 * and the least recently used entries go until both bounds hold. A value bigger than the whole
 * budget is not cached at all, so no single request can flush the cache or grow it past it.
 */
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export class TtlCache<V> {
  private map = new Map<string, { value: V; expires: number; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly maxBytes: number = DEFAULT_MAX_BYTES,
    private readonly sizeOf: (value: V, key: string) => number = (value, key) =>
      (JSON.stringify(value)?.length ?? 0) * 2 + key.length * 2,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.delete(key);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value, key);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, expires: Date.now() + this.ttlMs, bytes });
    this.bytes += bytes;
    while (this.map.size > this.max || this.bytes > this.maxBytes) this.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    const hit = this.map.get(key);
    if (!hit) return;
    this.map.delete(key);
    this.bytes -= hit.bytes;
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  /** The estimated bytes held (what maxBytes bounds). */
  get byteSize(): number {
    return this.bytes;
  }

  get size(): number {
    return this.map.size;
  }

  /** Drops the entries whose value fails `keep` (targeted invalidation). */
  retain(keep: (value: V) => boolean): void {
    for (const [key, hit] of this.map) if (!keep(hit.value)) this.delete(key);
  }
}

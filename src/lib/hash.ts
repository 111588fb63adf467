/**
 * FNV-1a, 32-bit: stable across runtimes and releases, so whatever is placed by
 * it (a product in a search shard, a reservation in an inventory bucket) stays
 * where it is for a given count.
 */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Which of `n` places `key` belongs to. */
export function placeOf(key: string, n: number): number {
  return fnv1a(key) % n;
}

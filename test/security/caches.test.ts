import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/lib/ttl-cache";
import { call, json } from "../helpers";

/** Finding 12 (medium): caches were capped by entry count only, so big entries grew memory without bound. */
describe("caches capped by bytes", () => {
  it("evicts least recently used entries until the byte budget holds", () => {
    const cache = new TtlCache<string>(60_000, 1_000, 10_000);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, "x".repeat(1_000));
    expect(cache.byteSize).toBeLessThanOrEqual(10_000);
    expect(cache.size).toBeLessThan(10);
    expect(cache.get("k99")).toBeDefined();
    expect(cache.get("k0")).toBeUndefined();
  });

  it("does not cache a value larger than the whole budget", () => {
    const cache = new TtlCache<string>(60_000, 1_000, 1_000);
    cache.set("small", "x");
    cache.set("huge", "x".repeat(10_000));
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("small")).toBe("x");
  });

  it("refuses a search cursor past the maximum depth with 400", async () => {
    const deep = btoa(JSON.stringify([5000])).replace(/=+$/, "");
    const res = await call("GET", `/search?q=tv&cursor=${deep}`);
    expect(res.status).toBe(400);
    expect((await json(res)).error.details[0].field).toBe("cursor");
  });
});

import { describe, expect, it } from "vitest";
import { call, signup } from "./helpers";

describe("write limits (the Rate Limiting binding)", () => {
  it("refuses a user's writes past the per-minute limit with 429 and Retry-After, and not their reads", async () => {
    const u = await signup();
    // 600 writes a minute per user (wrangler.toml). The binding counts in fixed one-minute windows, so a run
    // that straddles a window's end may pass up to twice that before the first refusal, never fewer than 600.
    let allowed = 0;
    let limited: Response | null = null;
    for (let i = 0; i < 1300 && !limited; i++) {
      const res = await call("POST", "/no-such-write", { token: u.access_token, body: {} });
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(404);
        allowed++;
      }
    }
    expect(limited).not.toBeNull();
    expect(allowed).toBeGreaterThanOrEqual(600);
    expect(limited!.headers.get("retry-after")).toBe("60");
    expect((await limited!.json<any>()).error.code).toBe("rate_limited");
    // Reads are not limited, and another user is not affected.
    expect((await call("GET", "/cart", { token: u.access_token })).status).toBe(200);
    const other = await signup();
    expect((await call("POST", "/no-such-write", { token: other.access_token, body: {} })).status).toBe(404);
  });
});

/** Security issue, low: anonymous writes and token refreshes had 6,000 a minute per address; searches none. */
describe("anonymous and search limits", () => {
  async function untilLimited(send: () => Promise<Response>, max: number) {
    let allowed = 0;
    for (let i = 0; i < max; i++) {
      const res = await send();
      if (res.status === 429) return { allowed, res };
      allowed++;
    }
    return { allowed, res: null };
  }

  it("limits writes without a token to 300 a minute per address, /auth/refresh included", async () => {
    const ip = "198.18.7.1";
    const { allowed, res } = await untilLimited(
      () =>
        call("POST", "/auth/refresh", { body: { refresh_token: "rt_nope.x" }, headers: { "cf-connecting-ip": ip } }),
      700,
    );
    expect(res).not.toBeNull();
    expect(allowed).toBeGreaterThanOrEqual(300);
    expect(allowed).toBeLessThan(700);
    expect(res!.headers.get("retry-after")).toBe("60");
  });

  it("limits searches and suggestions to 600 a minute per address", async () => {
    const ip = "198.18.7.2";
    const { allowed, res } = await untilLimited(
      () => call("GET", "/suggest", { headers: { "cf-connecting-ip": ip } }),
      1300,
    );
    expect(res).not.toBeNull();
    expect(allowed).toBeGreaterThanOrEqual(600);
    expect((await res!.json<any>()).error.code).toBe("rate_limited");
    // Another address is not affected.
    expect((await call("GET", "/suggest?prefix=so", { headers: { "cf-connecting-ip": "198.18.7.3" } })).status).toBe(
      200,
    );
  });

  it("counts a search answered from memory in front of the app against the same limit", async () => {
    const ip = "198.18.7.4";
    let fromMemory = 0;
    const { allowed, res } = await untilLimited(async () => {
      const r = await call("GET", "/search?q=phone", { headers: { "cf-connecting-ip": ip } });
      if (r.headers.get("x-cache") === "HIT") fromMemory++;
      return r;
    }, 1300);
    expect(fromMemory).toBeGreaterThan(0);
    expect(res).not.toBeNull();
    expect(allowed).toBeGreaterThanOrEqual(600);
    expect(allowed).toBeLessThan(1300);
    expect((await res!.json<any>()).error.code).toBe("rate_limited");
  });
});

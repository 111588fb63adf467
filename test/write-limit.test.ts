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

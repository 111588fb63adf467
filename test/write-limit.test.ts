import { describe, expect, it } from "vitest";
import { call, signup } from "./helpers";

describe("write limits (the Rate Limiting binding)", () => {
  it("refuses a user's writes past the per-minute limit with 429 and Retry-After, and not their reads", async () => {
    const u = await signup();
    const statuses: number[] = [];
    // 600 writes a minute per user (wrangler.toml); each from its own address so only the user's count moves.
    for (let i = 0; i < 610; i++) statuses.push((await call("POST", "/no-such-write", { token: u.access_token, body: {} })).status);
    expect(statuses.slice(0, 600).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(600)).toEqual(Array(10).fill(429));
    const limited = await call("POST", "/no-such-write", { token: u.access_token, body: {} });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect((await limited.json<any>()).error.code).toBe("rate_limited");
    expect((await call("GET", "/cart", { token: u.access_token })).status).toBe(200);
    // Another user is not affected.
    const other = await signup();
    expect((await call("POST", "/no-such-write", { token: other.access_token, body: {} })).status).toBe(404);
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminUser, callWithVars, signup, unique } from "./helpers";

async function callWithReplicas(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; bookmark?: string } = {},
) {
  const headers: Record<string, string> = {
    "cf-connecting-ip": "198.18.9.1",
    ...(opts.bookmark ? { "x-d1-bookmark": opts.bookmark } : {}),
  };
  return callWithVars({ D1_READ_REPLICAS: "on" }, method, path, { token: opts.token, body: opts.body, headers });
}

/** Issue 17: read replicas through the D1 Sessions API, with the bookmark for read-your-writes. */
describe("D1 sessions", () => {
  it("answers with a bookmark, and a read that sends the bookmark of a write sees the write", async () => {
    const seller = await signup({ role: "seller" });
    const name = unique("Cat");
    const admin = await adminUser();
    const write = await callWithReplicas("POST", "/categories", { token: admin.access_token, body: { name } });
    expect(write.status).toBe(201);
    const bookmark = write.headers.get("x-d1-bookmark");
    expect(bookmark).toBeTruthy();
    const read = await callWithReplicas("GET", "/categories", { bookmark: bookmark!, token: seller.access_token });
    expect(read.status).toBe(200);
    expect(JSON.stringify(await read.json())).toContain(name);
    const later = read.headers.get("x-d1-bookmark");
    expect(later && later >= bookmark!).toBe(true);
  });

  it("ignores a malformed bookmark instead of failing the request", async () => {
    const res = await callWithReplicas("GET", "/categories", { bookmark: "not a bookmark; DROP TABLE" });
    expect(res.status).toBe(200);
  });

  it("is off unless the environment turns it on (local D1 has no replicas)", async () => {
    expect(env.D1_READ_REPLICAS).not.toBe("on");
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/lib/crypto";
import { beginIdempotentRequest } from "../src/services/idempotency";
import { eachOrderShard } from "../src/db/shards";
import { call, json, unique } from "./helpers";

/** Accounts with this email in every user database (users are spread over two in tests). */
async function usersWithEmail(email: string): Promise<number> {
  let n = 0;
  for (const e of eachOrderShard(env)) n += (await e.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?").bind(email).first<{ n: number }>())!.n;
  return n;
}

const body = () => ({ email: `${unique()}@example.com`, username: unique(), password: "password123" });

describe("Idempotency-Key", () => {
  it("replays the stored response for the same key and body without doing the work twice", async () => {
    const key = unique("key-");
    const b = body();
    const ip = "192.0.2.10";
    const first = await call("POST", "/auth/signup", { body: b, headers: { "idempotency-key": key, "cf-connecting-ip": ip } });
    expect(first.status).toBe(201);
    const second = await call("POST", "/auth/signup", { body: b, headers: { "idempotency-key": key, "cf-connecting-ip": ip } });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(second)).user.user_id).toBe((await json(first)).user.user_id);
    expect(await usersWithEmail(b.email)).toBe(1);
  });

  it("answers the same key with another body with 409 idempotency_key_reused", async () => {
    const key = unique("key-");
    const ip = "192.0.2.11";
    const headers = { "idempotency-key": key, "cf-connecting-ip": ip };
    expect((await call("POST", "/auth/signup", { body: body(), headers })).status).toBe(201);
    const res = await call("POST", "/auth/signup", { body: body(), headers });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("idempotency_key_reused");
  });

  it("answers a duplicate that arrives while the first is running with 409", async () => {
    const key = unique("key-");
    const ip = "192.0.2.12";
    const b = body();
    // The first request holds the key (as if still running).
    const raw = JSON.stringify(b);
    const begun = await beginIdempotentRequest(env, {
      caller: `anon:${ip}`,
      key,
      method: "POST",
      path: "/auth/signup",
      bodyHash: await sha256Hex(raw),
    });
    expect(begun.kind).toBe("started");
    const res = await call("POST", "/auth/signup", {
      raw,
      headers: { "idempotency-key": key, "cf-connecting-ip": ip, "content-type": "application/json" },
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("idempotency_request_in_progress");
  });

  it("runs concurrent duplicates once: one 201, the rest replays or 409s, one account", async () => {
    const key = unique("key-");
    const b = body();
    const headers = { "idempotency-key": key, "cf-connecting-ip": "192.0.2.13" };
    const results = await Promise.all(Array.from({ length: 5 }, () => call("POST", "/auth/signup", { body: b, headers })));
    const fresh = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") !== "true");
    expect(fresh).toHaveLength(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await usersWithEmail(b.email)).toBe(1);
  });

  it("scopes keys per caller: another client may use the same key", async () => {
    const key = unique("key-");
    const a = await call("POST", "/auth/signup", { body: body(), headers: { "idempotency-key": key, "cf-connecting-ip": "192.0.2.14" } });
    const b = await call("POST", "/auth/signup", { body: body(), headers: { "idempotency-key": key, "cf-connecting-ip": "192.0.2.15" } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
  });

  it("stores client errors too, and rejects a malformed key with 400", async () => {
    const key = unique("key-");
    const headers = { "idempotency-key": key, "cf-connecting-ip": "192.0.2.16" };
    const bad = { email: "nope", username: "x", password: "y" };
    expect((await call("POST", "/auth/signup", { body: bad, headers })).status).toBe(400);
    const replay = await call("POST", "/auth/signup", { body: bad, headers });
    expect(replay.status).toBe(400);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const res = await call("POST", "/auth/signup", { body: body(), headers: { "idempotency-key": "has space" } });
    expect(res.status).toBe(400);
  });
});

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/lib/crypto";
import { beginIdempotentRequest } from "../src/services/idempotency";
import { call, createCategory, json, signup, unique, type TestUser } from "./helpers";

/** How many products a seller has (what a doubled POST /products would show). */
async function productsOf(seller: TestUser): Promise<number> {
  const res = await call("GET", `/products?seller_id=${seller.user.user_id}&limit=100`);
  return (await json(res)).data.length;
}

let categoryId: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Idem"))).category_id;
});
const product = () => ({
  name: `Lamp ${unique()}`,
  description: "A lamp",
  price: 2500,
  category_id: categoryId,
  stock_available: 3,
});
const post = (seller: TestUser, body: unknown, key: string) =>
  call("POST", "/products", { token: seller.access_token, body, headers: { "idempotency-key": key } });

describe("Idempotency-Key", () => {
  it("replays the stored response for the same key and body without doing the work twice", async () => {
    const seller = await signup({ role: "seller" });
    const key = unique("key-");
    const b = product();
    const first = await post(seller, b, key);
    expect(first.status).toBe(201);
    const second = await post(seller, b, key);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(second)).product_id).toBe((await json(first)).product_id);
    expect(await productsOf(seller)).toBe(1);
  });

  it("answers the same key with another body with 409 idempotency_key_reused", async () => {
    const seller = await signup({ role: "seller" });
    const key = unique("key-");
    expect((await post(seller, product(), key)).status).toBe(201);
    const res = await post(seller, product(), key);
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("idempotency_key_reused");
  });

  it("answers a duplicate that arrives while the first is running with 409", async () => {
    const seller = await signup({ role: "seller" });
    const key = unique("key-");
    const raw = JSON.stringify(product());
    // The first request holds the key (as if still running).
    const begun = await beginIdempotentRequest(env, {
      caller: seller.user.user_id,
      key,
      method: "POST",
      path: "/products",
      bodyHash: await sha256Hex(raw),
    });
    expect(begun.kind).toBe("started");
    const res = await call("POST", "/products", {
      raw,
      token: seller.access_token,
      headers: { "idempotency-key": key, "content-type": "application/json" },
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("idempotency_request_in_progress");
  });

  it("runs concurrent duplicates once: one 201, the rest replays or 409s, one product", async () => {
    const seller = await signup({ role: "seller" });
    const key = unique("key-");
    const b = product();
    const results = await Promise.all(Array.from({ length: 5 }, () => post(seller, b, key)));
    const fresh = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") !== "true");
    expect(fresh).toHaveLength(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await productsOf(seller)).toBe(1);
  });

  it("scopes keys per caller: another user may use the same key", async () => {
    const key = unique("key-");
    const [a, b] = [await signup({ role: "seller" }), await signup({ role: "seller" })];
    expect((await post(a, product(), key)).status).toBe(201);
    expect((await post(b, product(), key)).status).toBe(201);
  });

  it("stores client errors too, and rejects a malformed key with 400", async () => {
    const seller = await signup({ role: "seller" });
    const key = unique("key-");
    const bad = { name: "x", price: -1 };
    expect((await post(seller, bad, key)).status).toBe(400);
    const replay = await post(seller, bad, key);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await post(seller, product(), "has space")).status).toBe(400);
  });
});

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

let seller: TestUser;
let categoryId: string;
beforeAll(async () => {
  seller = await signup({ role: "seller" });
  categoryId = (await createCategory(unique("Edge"))).category_id;
});

/** Issue 17, reads at the edge: the Cache API for anonymous catalog reads, purged on write, with ETags. */
describe("edge cache", () => {
  it("serves a product page from the cache, and purges it when the price or the stock changes", async () => {
    const p = await createProduct(seller, categoryId, { price: 1000, stock_available: 4 });
    const first = await call("GET", `/products/${p.product_id}`);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await call("GET", `/products/${p.product_id}`);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect((await json(second)).price).toBe(1000);

    expect(
      (await call("PATCH", `/products/${p.product_id}`, { token: seller.access_token, body: { price: 1250 } })).status,
    ).toBe(200);
    const repriced = await call("GET", `/products/${p.product_id}`);
    expect(repriced.headers.get("x-cache")).toBe("MISS");
    expect((await json(repriced)).price).toBe(1250);

    // A sale moves the stock: the next read is not the cached one.
    await call("GET", `/products/${p.product_id}`);
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
    expect(
      (
        await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: "1 Main St" },
          headers: { "idempotency-key": unique("k") },
        })
      ).status,
    ).toBe(201);
    expect((await json(await call("GET", `/products/${p.product_id}`))).stock_available).toBe(3);
  });

  it("answers a hot page in front of the app with the app's headers, its own request id, and counts the view", async () => {
    const p = await createProduct(seller, categoryId, { price: 4321 });
    const miss = await call("GET", `/products/${p.product_id}`, { headers: { "x-request-id": "req-front-miss" } });
    const hit = await call("GET", `/products/${p.product_id}`, { headers: { "x-request-id": "req-front-hit-1" } });
    const other = await call("GET", `/products/${p.product_id}`);
    expect([miss.headers.get("x-cache"), hit.headers.get("x-cache"), other.headers.get("x-cache")]).toEqual([
      "MISS",
      "HIT",
      "HIT",
    ]);
    expect(await hit.text()).toBe(await miss.text());
    // Every header the app gave (security headers, CORS, ETag, type) except the per-request ones.
    const shared = (r: Response) =>
      [...r.headers].filter(([k]) => !["x-request-id", "x-cache", "date"].includes(k)).sort();
    expect(shared(hit)).toEqual(shared(miss));
    expect(hit.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(hit.headers.get("x-request-id")).toBe("req-front-hit-1");
    const generated = other.headers.get("x-request-id");
    expect(generated).toMatch(/^req_[0-9A-Z]{26}$/);
    // The seller's view counts hold for answers from memory too: one fact per request.
    await vi.waitFor(
      async () => {
        const views = await env.WAREHOUSE.prepare("SELECT view_id FROM fact_product_views WHERE product_id = ?")
          .bind(p.product_id)
          .all<{ view_id: string }>();
        expect(views.results.map((v) => v.view_id).sort()).toEqual(
          [generated, "req-front-hit-1", "req-front-miss"].sort(),
        );
      },
      { timeout: 8000, interval: 200 },
    );
  });

  it("never serves a signed-in or guest-cart request from the cache", async () => {
    const p = await createProduct(seller, categoryId);
    await call("GET", `/products/${p.product_id}`);
    const signedIn = await call("GET", `/products/${p.product_id}`, { token: seller.access_token });
    expect(signedIn.headers.get("x-cache")).toBeNull();
    const guest = await call("GET", `/products/${p.product_id}`, {
      headers: { "x-cart-id": "crt_01J0000000000000000000GUEST".slice(0, 30) },
    });
    expect(guest.headers.get("x-cache")).toBeNull();
    // A cross-origin read gets the CORS answer for its own Origin, from the app.
    const cors = await call("GET", `/products/${p.product_id}`, { headers: { origin: "http://127.0.0.1:9" } });
    expect(cors.headers.get("access-control-allow-origin")).toBeTruthy();
  });

  it("answers a matching If-None-Match with 304, from the cache or not", async () => {
    const p = await createProduct(seller, categoryId);
    const first = await call("GET", `/products/${p.product_id}`);
    const tag = first.headers.get("etag");
    expect(tag).toBeTruthy();
    const again = await call("GET", `/products/${p.product_id}`, { headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const cats = await call("GET", "/categories");
    expect((await call("GET", "/categories", { headers: { "if-none-match": cats.headers.get("etag")! } })).status).toBe(
      304,
    );
  });

  it("purges the category tree on a category write", async () => {
    await call("GET", "/categories");
    expect((await call("GET", "/categories")).headers.get("x-cache")).toBe("HIT");
    const created = await createCategory(unique("Fresh"));
    const tree = await call("GET", "/categories");
    expect(tree.headers.get("x-cache")).toBe("MISS");
    expect(JSON.stringify(await json(tree))).toContain(created.category_id);
  });

  it("answers a repeated search from memory, still counts it, and never from before an index write", async () => {
    const word = `frontsearch${Date.now().toString(36)}`;
    const first = await createProduct(seller, categoryId, { name: `Halcyon ${word} Kettle` });
    // Every first-page search that finds something counts for the popular queries: these are counted here.
    let found = 0;
    const search = async (query: string, headers: Record<string, string> = {}) => {
      const r = await call("GET", `/search?${query}`, { headers });
      const body = await r.clone().json<{ total: number }>();
      if (body.total > 0) found++;
      return r;
    };
    // Indexing runs from the catalog's events (each bumps the index's version): wait until a
    // search finds it and the next one is answered from memory.
    await vi.waitFor(
      async () => {
        expect((await (await search(`q=${word}`)).json<{ total: number }>()).total).toBe(1);
        expect((await search(`q=${word}`)).headers.get("x-cache")).toBe("HIT");
      },
      { timeout: 4000, interval: 100 },
    );
    const miss = await call("GET", `/search?q=${word}&limit=7`);
    found++;
    const hit = await search(`q=${word}&limit=7`, { "x-request-id": "req-search-hit" });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("x-request-id")).toBe("req-search-hit");
    expect(await hit.text()).toBe(await miss.text());

    await vi.waitFor(
      async () => {
        const row = await env.DB.prepare("SELECT popularity FROM search_queries WHERE query = ?")
          .bind(word)
          .first<{ popularity: number }>();
        expect(row?.popularity).toBe(found);
      },
      { timeout: 8000, interval: 200 },
    );
    expect(found).toBeGreaterThanOrEqual(4);

    // A product indexed in this isolate is found by the next search, not hidden behind the memo.
    const second = await createProduct(seller, categoryId, { name: `Halcyon ${word} Teapot` });
    await vi.waitFor(
      async () => {
        const found = await json(await call("GET", `/search?q=${word}`));
        expect(found.data.map((h: { product_id: string }) => h.product_id).sort()).toEqual(
          [first.product_id, second.product_id].sort(),
        );
      },
      { timeout: 4000, interval: 100 },
    );
  });
});

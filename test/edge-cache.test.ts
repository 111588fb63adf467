import { beforeAll, describe, expect, it } from "vitest";
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

  it("never serves a signed-in or guest-cart request from the cache", async () => {
    const p = await createProduct(seller, categoryId);
    await call("GET", `/products/${p.product_id}`);
    const signedIn = await call("GET", `/products/${p.product_id}`, { token: seller.access_token });
    expect(signedIn.headers.get("x-cache")).toBeNull();
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

  it("does not cache search answers at the edge (they must be fresh within 2 s)", async () => {
    const q = `edgecache${unique()}`;
    await call("GET", `/search?q=${q}`);
    expect((await call("GET", `/search?q=${q}`)).headers.get("x-cache")).toBeNull();
  });
});

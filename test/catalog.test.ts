import { describe, expect, it } from "vitest";
import { adminUser, call, createCategory, createProduct, json, signup, unique } from "./helpers";

describe("categories", () => {
  it("builds a tree; only admins create; moving or deleting a category with products is a 409", async () => {
    const root = await createCategory(`Root ${unique()}`);
    const child = await createCategory("Phones", root.category_id);
    const leaf = await createCategory("Cases", child.category_id);

    const tree = await json(await call("GET", "/categories"));
    const node = tree.data.find((c: any) => c.category_id === root.category_id);
    expect(node.children[0]).toMatchObject({
      category_id: child.category_id,
      parent_id: root.category_id,
      name: "Phones",
    });
    expect(node.children[0].children[0]).toMatchObject({ category_id: leaf.category_id, children: [] });

    const buyer = await signup();
    const denied = await call("POST", "/categories", { token: buyer.access_token, body: { name: "Nope" } });
    expect(denied.status).toBe(403);

    const admin = await adminUser();
    const dup = await call("POST", "/categories", {
      token: admin.access_token,
      body: { name: "Phones", parent_id: root.category_id },
    });
    expect(dup.status).toBe(409);
    const orphan = await call("POST", "/categories", {
      token: admin.access_token,
      body: { name: "X", parent_id: "cat_NOPE" },
    });
    expect(orphan.status).toBe(400);

    const seller = await signup({ role: "seller" });
    await createProduct(seller, leaf.category_id);
    const otherRoot = await createCategory(`Other ${unique()}`);
    const move = await call("PATCH", `/categories/${child.category_id}`, {
      token: admin.access_token,
      body: { parent_id: otherRoot.category_id },
    });
    expect(move.status).toBe(409);
    expect((await json(move)).error.code).toBe("category_in_use");
    const del = await call("DELETE", `/categories/${leaf.category_id}`, { token: admin.access_token });
    expect(del.status).toBe(409);

    // An empty subtree moves, and its descendants follow.
    const empty = await createCategory(`Empty ${unique()}`);
    const emptyChild = await createCategory("Inner", empty.category_id);
    const moved = await call("PATCH", `/categories/${empty.category_id}`, {
      token: admin.access_token,
      body: { parent_id: otherRoot.category_id },
    });
    expect(moved.status).toBe(200);
    expect((await json(moved)).depth).toBe(1);
    const seller2 = await signup({ role: "seller" });
    const p = await createProduct(seller2, emptyChild.category_id);
    const list = await json(await call("GET", `/products?category_id=${otherRoot.category_id}`));
    expect(list.data.map((x: any) => x.product_id)).toContain(p.product_id);
    const cycle = await call("PATCH", `/categories/${otherRoot.category_id}`, {
      token: admin.access_token,
      body: { parent_id: emptyChild.category_id },
    });
    expect(cycle.status).toBe(400);
  });
});

describe("products", () => {
  it("lets a seller create, refuses buyers (403), other sellers (403) and unknown or forbidden fields (400)", async () => {
    const cat = await createCategory(`Cat ${unique()}`);
    const seller = await signup({ role: "seller" });
    const created = await createProduct(seller, cat.category_id, {
      price: 4999,
      brand: "Acme",
      images: ["https://127.0.0.1:9/1.jpg"],
      attributes: { colour: "Red", sizes: ["S", "M"] },
    });
    expect(created).toMatchObject({
      seller_id: seller.user.user_id,
      category_id: cat.category_id,
      price: 4999,
      currency: "usd",
      stock_available: 10,
      brand: "Acme",
      rating_average: 0,
      rating_count: 0,
      attributes: { colour: "Red", sizes: ["S", "M"] },
    });
    expect(created.product_id).toMatch(/^prd_/);

    const got = await call("GET", `/products/${created.product_id}`);
    expect(await json(got)).toMatchObject({ product_id: created.product_id, name: created.name });

    const buyer = await signup();
    const byBuyer = await call("POST", "/products", {
      token: buyer.access_token,
      body: { name: "x", description: "y", price: 1, category_id: cat.category_id, stock_available: 1 },
    });
    expect(byBuyer.status).toBe(403);

    const other = await signup({ role: "seller" });
    const hijack = await call("PATCH", `/products/${created.product_id}`, {
      token: other.access_token,
      body: { price: 1 },
    });
    expect(hijack.status).toBe(403);

    for (const body of [{ seller_id: other.user.user_id }, { product_id: "prd_X" }, { price: 10, surprise: true }]) {
      const res = await call("PATCH", `/products/${created.product_id}`, { token: seller.access_token, body });
      expect(res.status).toBe(400);
      const err = (await json(res)).error;
      expect(err.code).toBe("validation_failed");
      expect(err.details.length).toBeGreaterThan(0);
    }
    for (const body of [
      { name: "x", description: "y", price: 19.99, category_id: cat.category_id, stock_available: 1 },
      { name: "x", description: "y", price: -5, category_id: cat.category_id, stock_available: 1 },
      { name: "x", description: "y", price: 5, category_id: "cat_MISSING", stock_available: 1 },
      { name: "x", description: "y", price: 5, category_id: cat.category_id, stock_available: 1, currency: "xyz" },
      { name: "x", description: "y", price: 5, category_id: cat.category_id, stock_available: 1, rating_average: 5 },
    ]) {
      const res = await call("POST", "/products", { token: seller.access_token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }

    const patched = await call("PATCH", `/products/${created.product_id}`, {
      token: seller.access_token,
      body: { price: 3999, name: "Renamed" },
    });
    expect(await json(patched)).toMatchObject({ price: 3999, name: "Renamed", seller_id: seller.user.user_id });

    const admin = await adminUser();
    const byAdmin = await call("PATCH", `/products/${created.product_id}`, {
      token: admin.access_token,
      body: { description: "Edited by staff" },
    });
    expect(byAdmin.status).toBe(200);
    expect(await call("GET", "/products/prd_DOESNOTEXIST").then((r) => r.status)).toBe(404);
  });

  it("lists by category including descendants and by seller, with stable pagination", async () => {
    const root = await createCategory(`Tree ${unique()}`);
    const a = await createCategory("A", root.category_id);
    const b = await createCategory("B", a.category_id);
    const seller = await signup({ role: "seller" });
    const other = await signup({ role: "seller" });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await createProduct(seller, i % 2 ? a.category_id : b.category_id)).product_id);
    const foreign = await createProduct(other, b.category_id);

    const all = await json(await call("GET", `/products?category_id=${root.category_id}&limit=100`));
    expect(all.data).toHaveLength(8);
    const onlyB = await json(await call("GET", `/products?category_id=${b.category_id}&limit=100`));
    expect(onlyB.data).toHaveLength(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(
        await call("GET", `/products?seller_id=${seller.user.user_id}&limit=3${cursor ? `&cursor=${cursor}` : ""}`),
      );
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((p: any) => p.product_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(seen).not.toContain(foreign.product_id);

    expect((await call("GET", "/products?limit=101")).status).toBe(400);
    expect((await call("GET", "/products?cursor=garbage")).status).toBe(400);
    expect((await call("GET", "/products?category_id=nope")).status).toBe(400);
  });

  it("archive hides a product from listings but keeps it readable by id", async () => {
    const cat = await createCategory(`Arch ${unique()}`);
    const seller = await signup({ role: "seller" });
    const keep = await createProduct(seller, cat.category_id);
    const gone = await createProduct(seller, cat.category_id);
    const res = await call("DELETE", `/products/${gone.product_id}`, { token: seller.access_token });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("archived");
    const list = await json(await call("GET", `/products?category_id=${cat.category_id}`));
    expect(list.data.map((p: any) => p.product_id)).toEqual([keep.product_id]);
    expect((await json(await call("GET", `/products/${gone.product_id}`))).status).toBe("archived");
    const other = await signup({ role: "seller" });
    expect((await call("DELETE", `/products/${keep.product_id}`, { token: other.access_token })).status).toBe(403);
  });

  it("emits product events through the outbox", async () => {
    const cat = await createCategory(`Ev ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id);
    await call("PATCH", `/products/${p.product_id}`, { token: seller.access_token, body: { price: 10 } });
    await call("DELETE", `/products/${p.product_id}`, { token: seller.access_token });
    const { env } = await import("cloudflare:workers");
    const rows = await env.DB.prepare("SELECT type FROM outbox_events WHERE payload LIKE ? ORDER BY created_at")
      .bind(`%${p.product_id}%`)
      .all<{ type: string }>();
    expect(rows.results.map((r) => r.type)).toEqual(["product.created", "product.updated", "product.archived"]);
  });
});

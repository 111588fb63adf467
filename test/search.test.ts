import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { searchProducts, shardStub } from "../src/services/search";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

const real = env.TEST_CATALOG_SOURCE === "real";

beforeAll(async () => {
  // Load the seed catalog (5,851 real products when ../shared/data is present).
  const statements = env.TEST_SEED_SQL.split(/;\n(?=INSERT)/).map((s) => s.replace(/;\s*$/, ""));
  for (let i = 0; i < statements.length; i += 20)
    await env.DB.batch(statements.slice(i, i + 20).map((s) => env.DB.prepare(s)));
}, 120_000);

async function search(qs: string) {
  const res = await call("GET", `/search?${qs}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

describe("relevance on the real catalog", () => {
  it.runIf(real)("ranks Galaxy phones first for 'samsung galaxy'", async () => {
    const r = await search("q=samsung%20galaxy&limit=5");
    expect(r.total).toBeGreaterThan(5);
    for (const hit of r.data) {
      expect(hit.brand).toBe("Samsung");
      expect(hit.name.toLowerCase()).toMatch(/galaxy/);
      // Phones, not accessories that fit them.
      expect(hit.name.toLowerCase()).not.toMatch(/ for /);
    }
  });

  it.runIf(real)("puts iPhone cases before phones for 'iphone case'", async () => {
    const r = await search("q=iphone%20case&limit=10");
    expect(r.data.length).toBe(10);
    for (const hit of r.data) expect(hit.name.toLowerCase()).toMatch(/case/);
    for (const hit of r.data) expect(hit.name.toLowerCase()).toMatch(/iphone/);
  });

  it.runIf(real)("tolerates a typo: 'samsng' finds Samsung", async () => {
    const r = await search("q=samsng&limit=5");
    expect(r.total).toBeGreaterThan(0);
    expect(r.data[0].name.toLowerCase()).toContain("samsung");
  });

  it.runIf(real)("finds Mr Porter polos for 'polo shirt', with the words highlighted", async () => {
    const r = await search("q=polo%20shirt&limit=5");
    expect(r.total).toBeGreaterThan(5);
    for (const hit of r.data) expect(hit.name.toLowerCase()).toContain("polo");
    expect(r.data[0].highlights.name).toMatch(/<mark>Polo<\/mark>/i);
  });

  it("returns nothing for words absent from the catalog", async () => {
    const r = await search("q=zzqxwv%20plokij");
    expect(r).toMatchObject({ total: 0, data: [], next_cursor: null });
  });
});

describe("filters, sorts, facets and pages", () => {
  it("every hit satisfies every filter, and facets count what the filters leave", async () => {
    // Filters are picked from the catalog itself, so this holds for the real and the generated seed.
    const all = await search("limit=100&in_stock=true");
    const brand = Object.entries(all.facets.brand as Record<string, number>).sort((a, b) => b[1] - a[1])[0][0];
    const byBrand = await search(`brand=${encodeURIComponent(brand)}&in_stock=true&limit=100&sort=price_asc`);
    expect(byBrand.total).toBeGreaterThan(0);
    const prices = byBrand.data.map((h: any) => h.price);
    const [lo, hi] = [prices[0], prices[Math.floor((prices.length - 1) / 2)]];
    const r = await search(
      `brand=${encodeURIComponent(brand)}&min_price=${lo}&max_price=${hi}&in_stock=true&limit=100`,
    );
    expect(r.total).toBeGreaterThan(0);
    for (const hit of r.data) {
      expect(hit.brand).toBe(brand);
      expect(hit.price).toBeGreaterThanOrEqual(lo);
      expect(hit.price).toBeLessThanOrEqual(hi);
      expect(hit.stock_available).toBeGreaterThan(0);
    }
    expect(Object.keys(r.facets.brand)).toEqual([brand]);
    expect(r.facets.brand[brand]).toBe(r.total);
    const inRanges = Object.values(r.facets.price_range as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(inRanges).toBe(r.total);
  });

  it("category_id includes subcategories", async () => {
    const tree = (await json(await call("GET", "/categories"))).data;
    const root = tree.find((c: any) => c.children.length > 0);
    const r = await search(`category_id=${root.category_id}&limit=50`);
    expect(r.total).toBeGreaterThan(0);
    const ids = new Set<string>();
    const walk = (n: any) => {
      ids.add(n.category_id);
      n.children.forEach(walk);
    };
    walk(root);
    for (const hit of r.data) expect(ids.has(hit.category_id)).toBe(true);
  });

  it("sorts by price both ways, by rating and by newest", async () => {
    const asc = (await search("sort=price_asc&limit=50")).data.map((h: any) => h.price);
    expect(asc.length).toBe(50);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const desc = (await search("sort=price_desc&limit=50")).data.map((h: any) => h.price);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const newest = (await search("sort=newest&limit=50")).data.map((h: any) => h.created_at);
    expect(newest).toEqual([...newest].sort().reverse());
    const rating = (await search("sort=rating&limit=50")).data.map((h: any) => h.rating_average);
    expect(rating).toEqual([...rating].sort((a, b) => b - a));
  });

  it("pages do not overlap and end with a null cursor", async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await search(`limit=20&sort=newest${cursor ? `&cursor=${cursor}` : ""}`);
      for (const h of r.data) {
        expect(seen.has(h.product_id)).toBe(false);
        seen.add(h.product_id);
      }
      cursor = r.next_cursor;
      pages++;
    } while (cursor && pages < 6);
    expect(seen.size).toBeGreaterThan(20);
  });

  it("answers bad parameters with 400", async () => {
    for (const qs of [
      "limit=101",
      "min_price=-1",
      "min_price=abc",
      "sort=cheapest",
      "min_rating=6",
      "in_stock=maybe",
      "cursor=nope",
      "min_price=500&max_price=100",
      "category_id=bad",
    ]) {
      expect((await call("GET", `/search?q=tv&${qs}`)).status, qs).toBe(400);
    }
    expect((await call("GET", "/suggest")).status).toBe(400);
  });
});

describe("index freshness and shards", () => {
  it("finds a product created through the API within 2 s, and drops it when archived", async () => {
    const cat = await createCategory(`Fresh ${unique()}`);
    const seller = await signup({ role: "seller" });
    const word = `zephyrine${Date.now().toString(36)}`;
    const p = await createProduct(seller, cat.category_id, { name: `Quantum ${word} Toaster`, brand: "Acme" });
    const t0 = Date.now();
    await vi.waitFor(
      async () => expect((await search(`q=${word}`)).data.map((h: any) => h.product_id)).toEqual([p.product_id]),
      { timeout: 2000, interval: 100 },
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    await call("DELETE", `/products/${p.product_id}`, { token: seller.access_token });
    await vi.waitFor(async () => expect((await search(`q=${word}`)).total).toBe(0), { timeout: 2000, interval: 100 });
  });

  it("gives the same results with 1 shard as with 4", async () => {
    for (const q of ["phone case", "samsung", "black leather", "polo"]) {
      const one = await searchProducts(env, { q, sort: "relevance", limit: 30 }, { shards: 1 });
      const four = await searchProducts(env, { q, sort: "relevance", limit: 30 }, { shards: 4 });
      expect(four.total).toBe(one.total);
      expect(four.data.map((h) => h.product_id)).toEqual(one.data.map((h) => h.product_id));
      expect(four.facets).toEqual(one.facets);
    }
  });

  it("a shard restored from its snapshot answers like the live index", async () => {
    const before = await searchProducts(env, { q: "wireless", sort: "relevance", limit: 20 }, { shards: 2 });
    const stub = shardStub(env, 2, 0);
    const reloaded = await stub.reload();
    expect(reloaded.documents).toBeGreaterThan(0);
    const stats = await stub.stats();
    expect(stats.snapshotChunks).toBeGreaterThan(0);
    const after = await searchProducts(
      env,
      { q: "wireless", sort: "relevance", limit: 20, cursor: undefined, brand: undefined },
      { shards: 2 },
    );
    expect(after.data.map((h) => h.product_id)).toEqual(before.data.map((h) => h.product_id));
  });
});

describe("suggest", () => {
  it("completes from popular queries and product names", async () => {
    const r = await json(await call("GET", "/suggest?prefix=sams&limit=8"));
    expect(r.data.length).toBeGreaterThan(0);
    for (const s of r.data) expect(s.text.toLowerCase()).toMatch(/sams/);
    expect(r.data.some((s: any) => s.product_id)).toBe(true);
  });
});

describe("shard answer cache", () => {
  const doc = (id: string, name: string, version: number) => ({
    id,
    name,
    description: `${name}, a test product.`,
    brand: "Acme",
    brand_key: "acme",
    category_names: "Kitchen",
    category_id: "cat_test",
    category_ids: ["cat_test"],
    seller_id: "usr_test",
    price: 1000,
    rating: 0,
    in_stock: true,
    created_at: 1,
    popularity: 1,
    version,
  });
  const query = (term: string) => ({
    term,
    where: {},
    sort: "relevance" as const,
    take: 10,
    steps: [{ tolerance: 0, missing: 0 }],
    facets: true,
    priceRanges: [{ from: 0, to: 5000 }],
  });

  it("a write drops only the cached answers the written product could appear in", async () => {
    // A shard of its own (shard count 7), filled by hand.
    const stub = shardStub(env, 7, 6);
    await stub.clear();
    await stub.apply([doc("prd_a", "Copper Kettle", 1), doc("prd_b", "Walnut Cutting Board", 1)], [], true);
    expect((await stub.fillAndQuery(query("kettle"), 6, 7)).hits.map((h) => h.id)).toEqual(["prd_a"]);
    expect((await stub.fillAndQuery(query("walnut board"), 6, 7)).count).toBe(1);
    const cached = (await stub.stats()).cachedAnswers;
    expect(cached).toBeGreaterThanOrEqual(2);

    // A new board cannot match "kettle": that answer stays; "walnut board" is dropped and recomputed.
    await stub.apply([doc("prd_c", "Walnut Serving Board", 1)]);
    expect((await stub.stats()).cachedAnswers).toBe(cached - 1);
    expect((await stub.fillAndQuery(query("walnut board"), 6, 7)).count).toBe(2);

    // Renaming the kettle drops "kettle" (it matched the old name), and the new answer is right.
    await stub.apply([doc("prd_a", "Copper Teapot", 2)]);
    expect((await stub.fillAndQuery(query("kettle"), 6, 7)).count).toBe(0);
    expect((await stub.fillAndQuery(query("teapot"), 6, 7)).hits.map((h) => h.id)).toEqual(["prd_a"]);
    // An older version arriving late changes nothing.
    await stub.apply([doc("prd_a", "Copper Kettle", 1)]);
    expect((await stub.fillAndQuery(query("kettle"), 6, 7)).count).toBe(0);
  });

  it("matches words without their accents, and facets count each price once", async () => {
    const stub = shardStub(env, 7, 5);
    await stub.clear();
    await stub.apply(
      [
        { ...doc("prd_x", "Crème Brûlée Torch", 1), price: 5000 },
        { ...doc("prd_y", "Creme Pot", 1), price: 4999 },
      ],
      [],
      true,
    );
    const r = await stub.fillAndQuery(
      {
        ...query("creme"),
        priceRanges: [
          { from: 0, to: 5000 },
          { from: 5000, to: 10000 },
        ],
      },
      5,
      7,
    );
    expect(r.hits.map((h) => h.id).sort()).toEqual(["prd_x", "prd_y"]);
    expect(r.facets.price).toEqual({ "0-5000": 1, "5000-10000": 1 });
  });
});

describe("attributes and variants in the seed", () => {
  it("the seeded catalog: polos in M are polos with an M in stock (sizes are variants, phones carry typed attributes)", async () => {
    const res = await call("GET", "/search?q=polo&size=M&limit=50");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.length).toBeGreaterThan(5);
    for (const h of body.data) {
      expect(h.name.toLowerCase()).toContain("polo");
      expect(h.matching_variants.length).toBeGreaterThan(0);
      expect(h.matching_variants.every((v: any) => v.options.size === "M")).toBe(true);
      expect(h.matching_variants.some((v: any) => v.in_stock)).toBe(true);
    }
    expect(Object.keys(body.facets)).toEqual(expect.arrayContaining(["size", "colour", "carrier", "storage_capacity"]));
    if (!real) return;
    // Phones carry typed attributes derived from their names.
    const phones = await json(await call("GET", "/search?q=galaxy&carrier=Verizon&limit=10"));
    expect(phones.data.length).toBeGreaterThan(0);
    for (const h of phones.data) expect(h.attributes.carrier).toBe("Verizon");
  });
});

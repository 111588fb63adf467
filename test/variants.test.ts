import { describe, expect, it, vi } from "vitest";
import { indexProducts } from "../src/services/search";
import { env } from "cloudflare:workers";
import { adminUser, call, createCategory, json, signup, unique, type TestUser } from "./helpers";

const address = { name: "Ada Buyer", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" };

/** A category with size (a facetable enum variant option) and colour (a facetable enum) attributes, and a subcategory. */
async function apparel() {
  const admin = await adminUser();
  const top = await createCategory(`Apparel ${unique()}`);
  const sub = await createCategory(`Polos ${unique()}`, top.category_id);
  const size = await call("POST", `/categories/${top.category_id}/attributes`, {
    token: admin.access_token,
    body: { name: "size", type: "enum", values: ["S", "M", "L"], variant_option: true, required: true, facet: true },
  });
  expect(size.status, await size.clone().text()).toBe(201);
  const colour = await call("POST", `/categories/${sub.category_id}/attributes`, {
    token: admin.access_token,
    body: { name: "colour", type: "enum", values: ["Red", "Navy"], facet: true },
  });
  expect(colour.status).toBe(201);
  return { admin, top, sub };
}

async function polo(
  seller: TestUser,
  category_id: string,
  stock: { S: number; M: number; L: number },
  extra: Record<string, unknown> = {},
) {
  const res = await call("POST", "/products", {
    token: seller.access_token,
    body: {
      name: `Piqué polo ${unique()}`,
      description: "A cotton polo",
      price: 5000,
      category_id,
      attributes: { colour: "Red" },
      variants: [
        { sku: `P-S-${unique()}`, options: { size: "S" }, stock_available: stock.S },
        { options: { size: "M" }, stock_available: stock.M },
        { options: { size: "L" }, stock_available: stock.L, price: 5500 },
      ],
      ...extra,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

const variantOf = (product: any, size: string) => product.variants.find((v: any) => v.options.size === size);

async function product(id: string) {
  return json(await call("GET", `/products/${id}`));
}

describe("category attributes", () => {
  it("are defined by admins, inherited by subcategories, and typed", async () => {
    const { admin, top, sub } = await apparel();
    const seller = await signup({ role: "seller" });
    expect(
      (
        await call("POST", `/categories/${top.category_id}/attributes`, {
          token: seller.access_token,
          body: { name: "fit", type: "text" },
        })
      ).status,
    ).toBe(403);
    const listed = await json(await call("GET", `/categories/${sub.category_id}/attributes`));
    expect(listed.data.map((a: any) => a.name)).toEqual(["size", "colour"]);
    expect(listed.data[0]).toMatchObject({
      attribute_id: expect.stringMatching(/^att_/),
      category_id: top.category_id,
      type: "enum",
      values: ["S", "M", "L"],
      variant_option: true,
      facet: true,
      required: true,
    });
    expect(
      (await json(await call("GET", `/categories/${top.category_id}/attributes`))).data.map((a: any) => a.name),
    ).toEqual(["size"]);
    // A name is defined once along a path; enum needs values; search's own parameters are taken.
    expect(
      (
        await call("POST", `/categories/${sub.category_id}/attributes`, {
          token: admin.access_token,
          body: { name: "size", type: "text" },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await call("POST", `/categories/${top.category_id}/attributes`, {
          token: admin.access_token,
          body: { name: "colour", type: "text" },
        })
      ).status,
    ).toBe(409);
    const noValues = await call("POST", `/categories/${top.category_id}/attributes`, {
      token: admin.access_token,
      body: { name: "fabric", type: "enum" },
    });
    expect(noValues.status).toBe(400);
    expect((await json(noValues)).error.details[0].field).toBe("values");
    expect(
      (
        await call("POST", `/categories/${top.category_id}/attributes`, {
          token: admin.access_token,
          body: { name: "brand", type: "text" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("POST", `/categories/${top.category_id}/attributes`, {
          token: admin.access_token,
          body: { name: "Weight", type: "number" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("POST", `/categories/${top.category_id}/attributes`, {
          token: admin.access_token,
          body: { name: "weight", type: "number", unit: "g", bogus: 1 },
        })
      ).status,
    ).toBe(400);
    expect((await call("GET", "/categories/cat_nothere/attributes")).status).toBe(404);
  });

  it("refuse a product whose values the schema does not allow, naming the attribute", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const badColour = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Polo",
        description: "x",
        price: 100,
        category_id: sub.category_id,
        attributes: { colour: "Mauve" },
        variants: [{ options: { size: "M" }, stock_available: 1 }],
      },
    });
    expect(badColour.status).toBe(400);
    const body = await json(badColour);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details[0]).toMatchObject({ field: "attributes.colour", code: "invalid_value" });
    expect(body.error.message).toContain("colour");
    const badSize = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Polo",
        description: "x",
        price: 100,
        category_id: sub.category_id,
        variants: [{ options: { size: "XXL" }, stock_available: 1 }],
      },
    });
    expect(badSize.status).toBe(400);
    expect((await json(badSize)).error.details[0].field).toBe("variants.0.options.size");
    const missingSize = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Polo",
        description: "x",
        price: 100,
        category_id: sub.category_id,
        variants: [{ options: { colour: "Red" }, stock_available: 1 }],
      },
    });
    expect(missingSize.status).toBe(400);
    expect((await json(missingSize)).error.details.map((d: any) => d.field)).toContain("variants.0.options.size");
    const twice = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Polo",
        description: "x",
        price: 100,
        category_id: sub.category_id,
        variants: [
          { options: { size: "M" }, stock_available: 1 },
          { options: { size: "M" }, stock_available: 2 },
        ],
      },
    });
    expect(twice.status).toBe(400);
    // Patching an attribute is validated too.
    const ok = await polo(seller, sub.category_id, { S: 1, M: 1, L: 1 });
    const patch = await call("PATCH", `/products/${ok.product_id}`, {
      token: seller.access_token,
      body: { attributes: { colour: "Teal" } },
    });
    expect(patch.status).toBe(400);
    expect((await json(patch)).error.details[0].field).toBe("attributes.colour");
    expect(
      (
        await call("PATCH", `/products/${ok.product_id}`, {
          token: seller.access_token,
          body: { attributes: { colour: "Navy" } },
        })
      ).status,
    ).toBe(200);
  });
});

describe("variants", () => {
  it("a product without variants has one default variant, and every old route keeps working", async () => {
    const cat = await createCategory(`Plain ${unique()}`);
    const seller = await signup({ role: "seller" });
    const res = await call("POST", "/products", {
      token: seller.access_token,
      body: { name: "Mug", description: "A mug", price: 900, category_id: cat.category_id, stock_available: 4 },
    });
    const p = await json(res);
    expect(p.variants).toEqual([
      {
        variant_id: `var_${p.product_id.slice(4)}`,
        product_id: p.product_id,
        sku: null,
        options: {},
        price: 900,
        price_override: null,
        stock_available: 4,
        weight_grams: null,
      },
    ]);
    const buyer = await signup();
    const cart = await json(
      await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } }),
    );
    expect(cart.items[0]).toMatchObject({
      product_id: p.product_id,
      variant_id: p.variants[0].variant_id,
      options: {},
    });
    const order = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    });
    expect(order.status).toBe(201);
    expect((await json(order)).items[0]).toMatchObject({ variant_id: p.variants[0].variant_id, options: {} });
    const after = await product(p.product_id);
    expect(after.stock_available).toBe(3);
    expect(after.variants[0].stock_available).toBe(3);
    // Without variants, stock is required.
    const noStock = await call("POST", "/products", {
      token: seller.access_token,
      body: { name: "Mug", description: "A mug", price: 900, category_id: cat.category_id },
    });
    expect(noStock.status).toBe(400);
  });

  it("sells, stocks and prices each variant on its own: only M's stock moves when M is bought", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const p = await polo(seller, sub.category_id, { S: 3, M: 4, L: 5 });
    expect(p.stock_available).toBe(12);
    expect(p.variants.map((v: any) => [v.options.size, v.stock_available, v.price])).toEqual([
      ["S", 3, 5000],
      ["M", 4, 5000],
      ["L", 5, 5500],
    ]);
    const [S, M, L] = ["S", "M", "L"].map((s) => variantOf(p, s).variant_id);

    const buyer = await signup();
    const missing = await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: p.product_id, quantity: 1 },
    });
    expect(missing.status).toBe(400);
    const listed = (await json(missing)).error.details;
    expect(listed).toHaveLength(3);
    expect(listed.map((d: any) => d.field)).toEqual(["variant_id", "variant_id", "variant_id"]);
    expect(listed.map((d: any) => d.message.split(":")[0])).toEqual([S, M, L]);
    expect(
      (
        await call("POST", "/cart/add", {
          token: buyer.access_token,
          body: { product_id: p.product_id, variant_id: "var_nope", quantity: 1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("POST", "/cart/add", {
          token: buyer.access_token,
          body: { product_id: p.product_id, variant_id: M, quantity: 5 },
        })
      ).status,
    ).toBe(409);

    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: p.product_id, variant_id: M, quantity: 2 },
    });
    const cart = await json(
      await call("POST", "/cart/add", {
        token: buyer.access_token,
        body: { product_id: p.product_id, variant_id: L, quantity: 1 },
      }),
    );
    expect(cart.items.map((i: any) => [i.variant_id, i.options.size, i.quantity, i.price])).toEqual([
      [M, "M", 2, 5000],
      [L, "L", 1, 5500],
    ]);
    expect(cart.subtotal).toBe(2 * 5000 + 5500);
    // Two lines of one product: removing needs the variant.
    expect(
      (await call("POST", "/cart/remove", { token: buyer.access_token, body: { product_id: p.product_id } })).status,
    ).toBe(400);
    const removed = await json(
      await call("POST", "/cart/remove", {
        token: buyer.access_token,
        body: { product_id: p.product_id, variant_id: L },
      }),
    );
    expect(removed.items.map((i: any) => i.variant_id)).toEqual([M]);

    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order.items).toHaveLength(1);
    expect(order.items[0]).toMatchObject({
      product_id: p.product_id,
      variant_id: M,
      options: { size: "M" },
      quantity: 2,
      price: 5000,
    });
    const after = await product(p.product_id);
    expect(after.variants.map((v: any) => [v.options.size, v.stock_available])).toEqual([
      ["S", 3],
      ["M", 2],
      ["L", 5],
    ]);
    expect(after.stock_available).toBe(10);
    const seen = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(seen.items[0]).toMatchObject({ variant_id: M, options: { size: "M" } });
    // The seller's figures count units per variant, and report low stock per size.
    await vi.waitFor(
      async () => {
        const report = await json(await call("GET", "/analytics/seller", { token: seller.access_token }));
        expect(report.top_variants).toEqual([
          expect.objectContaining({
            variant_id: M,
            product_id: p.product_id,
            options: { size: "M" },
            units_sold: 2,
            revenue: 10000,
          }),
        ]);
        expect(report.low_stock_variants.map((v: any) => [v.variant_id, v.stock_available])).toEqual(
          expect.arrayContaining([
            [M, 2],
            [S, 3],
          ]),
        );
      },
      { timeout: 10_000, interval: 200 },
    );
  });

  it("a product with a long size run is created in one request, under D1's 100 bound values a statement", async () => {
    const cat = await createCategory(`Run ${unique()}`);
    const seller = await signup({ role: "seller" });
    const sizes = Array.from({ length: 40 }, (_, i) => String(30 + i));
    const res = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Trousers",
        description: "Cotton",
        price: 9000,
        category_id: cat.category_id,
        variants: sizes.map((size) => ({ options: { waist: size }, stock_available: 2, weight_grams: 500 })),
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const p = await json(res);
    expect(p.variants).toHaveLength(40);
    expect(p.stock_available).toBe(80);
    expect((await product(p.product_id)).variants.map((v: any) => v.options.waist)).toEqual(sizes);
  });

  it("30 buyers race for the last 5 units of one size: exactly 5 win, and the other sizes are untouched", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const p = await polo(seller, sub.category_id, { S: 7, M: 5, L: 9 });
    const M = variantOf(p, "M").variant_id;
    const buyers = await Promise.all(Array.from({ length: 30 }, () => signup()));
    for (const b of buyers) {
      const r = await call("POST", "/cart/add", {
        token: b.access_token,
        body: { product_id: p.product_id, variant_id: M, quantity: 1 },
      });
      expect(r.status).toBe(200);
    }
    const results = await Promise.all(
      buyers.map((b) =>
        call("POST", "/orders", {
          token: b.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: address },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.every((s) => s === 201 || s === 409 || s === 429)).toBe(true);
    const after = await product(p.product_id);
    expect(after.variants.map((v: any) => [v.options.size, v.stock_available])).toEqual([
      ["S", 7],
      ["M", 0],
      ["L", 9],
    ]);
    expect(after.stock_available).toBe(16);
  });

  it("are added, repriced and restocked by their seller only; stock of a multi-variant product is per variant", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const other = await signup({ role: "seller" });
    const p = await polo(seller, sub.category_id, { S: 1, M: 1, L: 1 });
    const M = variantOf(p, "M").variant_id;

    expect(
      (
        await call("POST", `/products/${p.product_id}/variants`, {
          token: other.access_token,
          body: { options: { size: "M" }, stock_available: 1 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("POST", `/products/${p.product_id}/variants`, {
          token: seller.access_token,
          body: { options: { size: "M" }, stock_available: 1 },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await call("POST", `/products/${p.product_id}/variants`, {
          token: seller.access_token,
          body: { options: { size: "XL" }, stock_available: 1 },
        })
      ).status,
    ).toBe(400);
    // A variant of another colour: options are per variant.
    const navyM = await call("POST", `/products/${p.product_id}/variants`, {
      token: seller.access_token,
      body: { sku: "NAVY-M", options: { size: "M", colour: "Navy" }, stock_available: 6, price: 4000 },
    });
    expect(navyM.status, await navyM.clone().text()).toBe(201);
    const created = await json(navyM);
    expect(created).toMatchObject({
      variant_id: expect.stringMatching(/^var_/),
      product_id: p.product_id,
      sku: "NAVY-M",
      options: { size: "M", colour: "Navy" },
      price: 4000,
      stock_available: 6,
    });
    expect((await product(p.product_id)).stock_available).toBe(9);

    const patched = await call("PATCH", `/products/${p.product_id}/variants/${M}`, {
      token: seller.access_token,
      body: { price: 4500, sku: "RED-M" },
    });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ variant_id: M, price: 4500, price_override: 4500, sku: "RED-M" });
    expect(
      (
        await call("PATCH", `/products/${p.product_id}/variants/${M}`, {
          token: other.access_token,
          body: { price: 1 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("PATCH", `/products/${p.product_id}/variants/${M}`, {
          token: seller.access_token,
          body: { stock_available: 3 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("PATCH", `/products/${p.product_id}/variants/var_unknown`, {
          token: seller.access_token,
          body: { price: 1 },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call("PATCH", `/products/${p.product_id}/variants/${created.variant_id}`, {
          token: seller.access_token,
          body: { sku: "RED-M" },
        })
      ).status,
    ).toBe(409);

    const noVariant = await call("POST", `/inventory/${p.product_id}`, {
      token: seller.access_token,
      body: { quantity: 5 },
    });
    expect(noVariant.status).toBe(400);
    expect((await json(noVariant)).error.details.length).toBe(4);
    const restock = await call("POST", `/inventory/${p.product_id}`, {
      token: seller.access_token,
      body: { quantity: 5, variant_id: M },
    });
    expect(restock.status).toBe(200);
    expect(await json(restock)).toEqual({ product_id: p.product_id, variant_id: M, stock_available: 6, reserved: 0 });
    expect(
      (
        await call("POST", `/inventory/${p.product_id}`, {
          token: other.access_token,
          body: { quantity: 5, variant_id: M },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call("PATCH", `/products/${p.product_id}`, { token: seller.access_token, body: { stock_available: 3 } }))
        .status,
    ).toBe(400);
    const live = await json(
      await call("GET", `/inventory/${p.product_id}?variant_id=${M}`, { token: seller.access_token }),
    );
    expect(live).toMatchObject({ variant_id: M, stock_available: 6 });
    const after = await product(p.product_id);
    expect(after.stock_available).toBe(14);
    expect(variantOf(after, "M")).toBeDefined();
    expect((await json(await call("GET", `/products/${p.product_id}/variants`))).data).toHaveLength(4);
  });
});

describe("search by attributes", () => {
  it("filters by facetable attributes (OR within one, AND across), shows facets and the matching variants", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const word = `zq${unique()
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
    const mOut = await polo(seller, sub.category_id, { S: 2, M: 0, L: 2 }, { name: `${word} polo one` });
    const mIn = await polo(seller, sub.category_id, { S: 0, M: 3, L: 0 }, { name: `${word} polo two` });
    const navy = await polo(
      seller,
      sub.category_id,
      { S: 1, M: 1, L: 1 },
      { name: `${word} polo three`, attributes: { colour: "Navy" } },
    );
    await indexProducts(env, [mOut.product_id, mIn.product_id, navy.product_id]);

    const byM = await json(await call("GET", `/search?q=${word}&size=M`));
    expect(byM.data.map((h: any) => h.product_id).sort()).toEqual([mIn.product_id, navy.product_id].sort());
    const hit = byM.data.find((h: any) => h.product_id === mIn.product_id);
    expect(hit.matching_variants).toEqual([
      { variant_id: variantOf(mIn, "M").variant_id, options: { size: "M" }, in_stock: true },
    ]);
    expect(byM.facets.size).toEqual({ M: 2, S: 1, L: 1 });
    expect(byM.facets.colour).toEqual({ Red: 1, Navy: 1 });

    const redM = await json(await call("GET", `/search?q=${word}&size=M&colour=Red`));
    expect(redM.data.map((h: any) => h.product_id)).toEqual([mIn.product_id]);
    const either = await json(await call("GET", `/search?q=${word}&size=M,S&colour=red`));
    expect(either.data.map((h: any) => h.product_id).sort()).toEqual([mOut.product_id, mIn.product_id].sort());
    const all = await json(await call("GET", `/search?q=${word}`));
    expect(all.total).toBe(3);
    expect(
      all.data
        .find((h: any) => h.product_id === mOut.product_id)
        .matching_variants.map((v: any) => [v.options.size, v.in_stock]),
    ).toEqual([
      ["S", true],
      ["M", false],
      ["L", true],
    ]);
    expect(all.facets.size).toEqual({ L: 2, M: 2, S: 2 });

    const unknown = await call("GET", `/search?q=${word}&sleeve=short`);
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.details[0].field).toBe("sleeve");
    // Suggest still finds them.
    const suggested = await json(await call("GET", `/suggest?prefix=${word}`));
    expect(suggested.data.length).toBeGreaterThan(0);
  });
});

describe("back in stock per variant", () => {
  it("alerts those waiting for a size when it returns, and those who saved the product only when it had none at all", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const p = await polo(seller, sub.category_id, { S: 0, M: 0, L: 2 });
    const [S, M] = ["S", "M"].map((s) => variantOf(p, s).variant_id);
    const wantsM = await signup();
    const wantsS = await signup();
    const anySize = await signup();
    expect(
      (
        await call("POST", "/wishlist", {
          token: wantsM.access_token,
          body: { product_id: p.product_id, variant_id: M },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call("POST", "/wishlist", {
          token: wantsS.access_token,
          body: { product_id: p.product_id, variant_id: S },
        })
      ).status,
    ).toBe(201);
    expect(
      (await call("POST", "/wishlist", { token: anySize.access_token, body: { product_id: p.product_id } })).status,
    ).toBe(201);
    expect(
      (
        await call("POST", "/wishlist", {
          token: anySize.access_token,
          body: { product_id: p.product_id, variant_id: "var_other" },
        })
      ).status,
    ).toBe(400);
    const alerts = async (u: TestUser) =>
      (await json(await call("GET", "/notifications", { token: u.access_token }))).data.filter(
        (n: any) => n.kind === "back_in_stock",
      );

    await call("POST", `/inventory/${p.product_id}`, {
      token: seller.access_token,
      body: { quantity: 3, variant_id: M },
    });
    await vi.waitFor(async () => expect(await alerts(wantsM)).toHaveLength(1), { timeout: 8000, interval: 200 });
    const [alert] = await alerts(wantsM);
    expect(alert.body).toContain("in M");
    expect(alert.data).toMatchObject({ product_id: p.product_id, variant_id: M });
    // L was in stock all along, so the product never was out: no alert for the whole product, none for S.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alerts(anySize)).toHaveLength(0);
    expect(await alerts(wantsS)).toHaveLength(0);
    expect((await json(await call("GET", "/wishlist", { token: wantsM.access_token }))).data[0]).toMatchObject({
      product_id: p.product_id,
      variant_id: M,
    });
  });
});

describe("products from before variants", () => {
  it("get their default variant from the migration, and their stock stays in the product's inventory object", async () => {
    const cat = await createCategory(`Legacy ${unique()}`);
    const seller = await signup({ role: "seller" });
    // A product row as the code before variants wrote it: no variant rows.
    const id = `prd_01LEGACY${unique()
      .replace(/[^A-Za-z0-9]/g, "")
      .toUpperCase()}`.slice(0, 30);
    await env.DB.prepare(
      "INSERT INTO products (id, seller_id, category_id, category_path, name, description, price, currency, stock_available) VALUES (?, ?, ?, ?, 'Old lamp', 'From before', 1500, 'usd', 6)",
    )
      .bind(id, seller.user.user_id, cat.category_id, `/${cat.category_id}/`)
      .run();
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0017_"))!;
    for (const q of backfill.queries) await env.DB.prepare(q).run();
    const p = await product(id);
    expect(p.variants).toEqual([
      expect.objectContaining({ variant_id: `var_${id.slice(4)}`, options: {}, stock_available: 6 }),
    ]);
    const buyer = await signup();
    expect(
      (await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: id, quantity: 2 } })).status,
    ).toBe(200);
    expect(
      (
        await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: address },
        })
      ).status,
    ).toBe(201);
    const live = await json(await call("GET", `/inventory/${id}`, { token: seller.access_token }));
    expect(live).toMatchObject({ variant_id: `var_${id.slice(4)}`, stock_available: 4 });
    expect((await product(id)).stock_available).toBe(4);
    // Running the backfill again changes nothing.
    for (const q of backfill.queries) await env.DB.prepare(q).run();
    expect((await product(id)).variants).toHaveLength(1);
  });

  it("spreads a hot variant over bucket objects like a hot product", async () => {
    const { sub } = await apparel();
    const seller = await signup({ role: "seller" });
    const p = await polo(seller, sub.category_id, { S: 1, M: 40, L: 1 });
    const M = variantOf(p, "M").variant_id;
    const res = await call("PUT", `/inventory/${p.product_id}/buckets`, {
      token: seller.access_token,
      body: { buckets: 4, variant_id: M },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ variant_id: M, buckets: 4, stock_available: 40 });
    const holds = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        call("POST", `/inventory/${p.product_id}/holds`, {
          token: seller.access_token,
          body: { quantity: 1, variant_id: M, reservation_id: `h${i}` },
        }),
      ),
    );
    expect(holds.filter((r) => r.status === 201)).toHaveLength(40);
    // Buckets report to the variant's object moments later.
    await vi.waitFor(
      async () =>
        expect(
          await json(await call("GET", `/inventory/${p.product_id}?variant_id=${M}`, { token: seller.access_token })),
        ).toMatchObject({ stock_available: 0, reserved: 40 }),
      { timeout: 5000, interval: 100 },
    );
    const others = await json(
      await call("GET", `/inventory/${p.product_id}?variant_id=${variantOf(p, "S").variant_id}`, {
        token: seller.access_token,
      }),
    );
    expect(others.stock_available).toBe(1);
  });
});

import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

const california = {
  name: "Ada Buyer",
  line1: "1 Main St",
  city: "Los Angeles",
  postal_code: "90001",
  country: "US",
  region: "CA",
};
const berlin = {
  name: "Ada Käuferin",
  line1: "Unter den Linden 1",
  city: "Berlin",
  postal_code: "10117",
  country: "DE",
};
const tokyo = { name: "Ada", line1: "1-1 Chiyoda", city: "Tokyo", postal_code: "100-0001", country: "JP" };

/**
 * Seller A ships the US (Standard $5 flat, Express $15 flat) and Germany/France ($7 per item).
 * Seller B ships the US and Canada ($8, free from $50 of B's goods) and Germany ($12 flat).
 * The cart: 2 × A's $20.00 item and 1 × B's $30.00 item.
 */
async function twoSellers() {
  const cat = await createCategory(`Ship ${unique()}`);
  const a = await signup({ role: "seller" });
  const b = await signup({ role: "seller" });
  const putA = await call("PUT", "/seller/shipping-profile", {
    token: a.access_token,
    body: {
      zones: [
        {
          name: "US",
          countries: ["US"],
          rates: [
            { name: "Standard", kind: "flat", amount: 500, min_days: 3, max_days: 5 },
            { name: "Express", kind: "flat", amount: 1500, min_days: 1, max_days: 2 },
          ],
        },
        {
          name: "EU",
          countries: ["DE", "FR"],
          rates: [{ name: "Europe", kind: "per_item", amount: 700, min_days: 4, max_days: 8 }],
        },
      ],
    },
  });
  expect(putA.status, await putA.clone().text()).toBe(200);
  const putB = await call("PUT", "/seller/shipping-profile", {
    token: b.access_token,
    body: {
      zones: [
        {
          name: "North America",
          countries: ["us", "CA"],
          rates: [{ name: "Ground", kind: "free_over", amount: 800, threshold: 5000, min_days: 2, max_days: 6 }],
        },
        {
          name: "Germany",
          countries: ["DE"],
          rates: [{ name: "DHL", kind: "flat", amount: 1200, min_days: 2, max_days: 4 }],
        },
      ],
    },
  });
  expect(putB.status).toBe(200);
  const pa = await createProduct(a, cat.category_id, { price: 2000, stock_available: 20 });
  const pb = await createProduct(b, cat.category_id, { price: 3000, stock_available: 20 });
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: pa.product_id, quantity: 2 } });
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: pb.product_id, quantity: 1 } });
  return { a, b, pa, pb, buyer, profileA: await json(putA) };
}

const seller = (cart: any, s: TestUser) => cart.shipping_options.find((o: any) => o.seller_id === s.user.user_id);

describe("shipping profiles", () => {
  it("are a seller's own, validated, and read back with option ids", async () => {
    const s = await signup({ role: "seller" });
    const buyer = await signup();
    const empty = await json(await call("GET", "/seller/shipping-profile", { token: s.access_token }));
    expect(empty).toEqual({ seller_id: s.user.user_id, zones: [], updated_at: null });
    const body = {
      zones: [
        {
          name: "US",
          countries: ["US"],
          rates: [{ name: "Std", kind: "flat", amount: 500, min_days: 3, max_days: 5 }],
        },
      ],
    };
    expect((await call("PUT", "/seller/shipping-profile", { token: buyer.access_token, body })).status).toBe(403);
    expect((await call("PUT", "/seller/shipping-profile", { body })).status).toBe(401);
    const noThreshold = await call("PUT", "/seller/shipping-profile", {
      token: s.access_token,
      body: {
        zones: [
          {
            name: "US",
            countries: ["US"],
            rates: [{ name: "Std", kind: "free_over", amount: 500, min_days: 3, max_days: 5 }],
          },
        ],
      },
    });
    expect(noThreshold.status).toBe(400);
    expect((await json(noThreshold)).error.details[0].field).toBe("zones.0.rates.0.threshold");
    expect(
      (
        await call("PUT", "/seller/shipping-profile", {
          token: s.access_token,
          body: { zones: [{ name: "X", countries: ["USA"], rates: body.zones[0].rates }] },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("PUT", "/seller/shipping-profile", {
          token: s.access_token,
          body: { zones: [{ ...body.zones[0], rates: [{ ...body.zones[0].rates[0], amount: 4.5 }] }] },
        })
      ).status,
    ).toBe(400);
    const saved = await json(await call("PUT", "/seller/shipping-profile", { token: s.access_token, body }));
    expect(saved.zones[0].rates[0].option_id).toMatch(/^shr_/);
    expect(await json(await call("GET", "/seller/shipping-profile", { token: s.access_token }))).toEqual(saved);
  });
});

describe("shipping and tax in the cart and the order", () => {
  it("a two-seller cart shipped to California and to Germany: shipping per seller and tax, against hand-computed totals", async () => {
    const { a, b, buyer } = await twoSellers();
    const before = await json(await call("GET", "/cart", { token: buyer.access_token }));
    expect(before).toMatchObject({
      subtotal: 7000,
      shipping_options: [],
      shipping_total: 0,
      tax_total: 0,
      total: 7000,
    });

    // California: A's cheapest is Standard $5; B's $30 is under its $50 threshold, so $8. Sales tax 7.25% on
    // top, per line, half up: 4000 × 7.25% = 290.0, 3000 × 7.25% = 217.5 → 218.
    const us = await call("POST", "/cart/shipping-address", {
      token: buyer.access_token,
      body: { address: california },
    });
    expect(us.status, await us.clone().text()).toBe(200);
    const usCart = await json(us);
    expect(seller(usCart, a).options.map((o: any) => [o.name, o.amount, o.min_days, o.max_days])).toEqual([
      ["Standard", 500, 3, 5],
      ["Express", 1500, 1, 2],
    ]);
    expect(seller(usCart, a).selected).toBe(seller(usCart, a).options[0].option_id);
    expect(seller(usCart, b).options.map((o: any) => [o.name, o.amount])).toEqual([["Ground", 800]]);
    expect(usCart).toMatchObject({
      subtotal: 7000,
      discount: 0,
      shipping_total: 1300,
      tax_total: 290 + 218,
      tax_included: 0,
      total: 7000 + 1300 + 508,
    });

    // Express for A.
    const express = seller(usCart, a).options[1].option_id;
    expect(
      (
        await call("POST", "/cart/shipping-option", {
          token: buyer.access_token,
          body: { seller_id: a.user.user_id, option_id: "shr_nope" },
        })
      ).status,
    ).toBe(400);
    const chosen = await json(
      await call("POST", "/cart/shipping-option", {
        token: buyer.access_token,
        body: { seller_id: a.user.user_id, option_id: express },
      }),
    );
    expect(chosen).toMatchObject({ shipping_total: 1500 + 800, tax_total: 508, total: 7000 + 2300 + 508 });

    // Germany: A charges $7 per item (2 items), B $12. VAT 19% is in the prices: 4000 × 19/119 = 638.66 → 639,
    // 3000 × 19/119 = 478.99 → 479; shown, not added.
    const de = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: berlin } }),
    );
    expect(de).toMatchObject({
      shipping_total: 1400 + 1200,
      tax_total: 0,
      tax_included: 639 + 479,
      total: 7000 + 2600,
    });
    expect(seller(de, a).selected).toBe(seller(de, a).options[0].option_id);

    // The order takes the cart's options and the tax of its address.
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: berlin },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({
      subtotal: 7000,
      discount: 0,
      shipping_total: 2600,
      tax_total: 0,
      tax_included: 1118,
      total_amount: 9600,
    });
    expect(order.shipping_lines.map((l: any) => [l.seller_id, l.name, l.amount]).sort()).toEqual(
      [
        [a.user.user_id, "Europe", 1400],
        [b.user.user_id, "DHL", 1200],
      ].sort(),
    );
    expect(order.total_amount).toBe(order.subtotal - order.discount + order.shipping_total + order.tax_total);
    expect(order.payment.amount).toBe(9600);
  });

  it("tax per line, with reduced rates by the category's tax class (inherited): books in Germany, Britain and California", async () => {
    const admin = await adminUser();
    const books = await json(
      await call("POST", "/categories", {
        token: admin.access_token,
        body: { name: `Books ${unique()}`, tax_class: "books" },
      }),
    );
    expect(books.tax_class).toBe("books");
    const novels = await createCategory(`Novels ${unique()}`, books.category_id);
    const gadgets = await createCategory(`Gadgets ${unique()}`);
    expect(
      (await call("POST", "/categories", { token: admin.access_token, body: { name: "x", tax_class: "caviar" } }))
        .status,
    ).toBe(400);
    const s = await signup({ role: "seller" });
    const novel = await createProduct(s, novels.category_id, { price: 1070, stock_available: 10 });
    const lamp = await createProduct(s, gadgets.category_id, { price: 2380, stock_available: 10 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: novel.product_id, quantity: 1 } });
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: lamp.product_id, quantity: 1 } });
    const line = (cart: any, p: any) => cart.items.find((i: any) => i.product_id === p.product_id).tax;

    // Germany: the novel (a subcategory of Books) at the reduced 7%, inside the price: 1070 × 7/107 = 70;
    // the lamp at 19%: 2380 × 19/119 = 380.
    const de = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: berlin } }),
    );
    expect([line(de, novel), line(de, lamp)]).toEqual([70, 380]);
    expect(de).toMatchObject({ tax_total: 0, tax_included: 450 });
    // Britain zero-rates books: the lamp's 20% alone, 2380 × 20/120 = 396.67 → 397.
    const gb = await json(
      await call("POST", "/cart/shipping-address", {
        token: buyer.access_token,
        body: { address: { ...berlin, city: "London", postal_code: "SW1A 1AA", country: "GB" } },
      }),
    );
    expect([line(gb, novel), line(gb, lamp)]).toEqual([0, 397]);
    // California has no book rate: both at 7.25% on top, 1070 → 77.575 → 78, 2380 → 172.55 → 173.
    const ca = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: california } }),
    );
    expect([line(ca, novel), line(ca, lamp)]).toEqual([78, 173]);
    expect(ca.tax_total).toBe(251);

    // The order keeps each line's tax.
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: berlin },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order.items.map((i: any) => [i.product_id, i.tax]).sort()).toEqual(
      [
        [novel.product_id, 70],
        [lamp.product_id, 380],
      ].sort(),
    );
    expect(order.tax_included).toBe(450);
    // A category's class can be cleared (back to the standard rate).
    const cleared = await json(
      await call("PATCH", `/categories/${books.category_id}`, { token: admin.access_token, body: { tax_class: null } }),
    );
    expect(cleared.tax_class).toBeNull();
  });

  it("POST /orders with today's body: the cheapest option per seller and the tax of the shipping address; a refund returns shipping and tax too", async () => {
    const { a, b, buyer } = await twoSellers();
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: california },
    });
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({ shipping_total: 1300, tax_total: 508, total_amount: 8808 });
    // Each seller is credited their goods net of commission plus their shipping (A: $5, B: $8), when
    // their shipment captures their share of the authorisation.
    for (const s of [a, b]) {
      const shipped = await call("POST", `/orders/${order.order_id}/status`, {
        token: s.access_token,
        body: { status: "shipped", tracking_number: `1Z${s.user.user_id.slice(-6)}` },
      });
      expect(shipped.status).toBe(200);
    }
    const balance = async (s: TestUser) => {
      const r = await json(await call("GET", "/seller/balance", { token: s.access_token }));
      return r.pending + r.available;
    };
    await vi.waitFor(async () => expect(await balance(a)).toBeGreaterThan(500), { timeout: 8000, interval: 200 });
    await vi.waitFor(async () => expect(await balance(b)).toBeGreaterThan(800), { timeout: 8000, interval: 200 });
    const ledgerA = await json(await call("GET", "/seller/ledger", { token: a.access_token }));
    expect(ledgerA.data.find((e: any) => e.kind === "shipping")).toMatchObject({
      amount: 500,
      order_id: order.order_id,
    });
    // A whole refund takes back the goods, each seller's shipping and the tax: both balances return to 0.
    const admin = await adminUser();
    const refund = await call("POST", "/payments/refunds", {
      token: admin.access_token,
      body: { order_id: order.order_id, reason: "lost in transit" },
    });
    expect(refund.status, await refund.clone().text()).toBe(201);
    expect((await json(refund)).amount).toBe(8808);
    await vi.waitFor(async () => expect([await balance(a), await balance(b)]).toEqual([0, 0]), {
      timeout: 8000,
      interval: 200,
    });
  });

  it("cancelling one seller's unshipped lines gives their sales tax and that seller's shipping back; the tax report per jurisdiction nets it", async () => {
    const { a, b, buyer } = await twoSellers();
    const admin = await adminUser();
    // Washington, 6.5% on top, per line: A 4000 → 260, B 3000 → 195. Shipping $5 + $8. No other test ships to WA.
    const washington = { ...california, city: "Seattle", postal_code: "98101", region: "WA" };
    const order = await json(
      await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: washington },
      }),
    );
    expect(order).toMatchObject({ subtotal: 7000, shipping_total: 1300, tax_total: 455, total_amount: 8755 });
    const lineB = order.items.find((i: any) => i.seller_id === b.user.user_id);
    expect(lineB.tax).toBe(195);
    // A ships; the buyer cancels what has not shipped: B's line, its goods, its tax and, B having nothing
    // left to ship, B's shipping (3000 + 195 + 800).
    expect(
      (
        await call("POST", `/orders/${order.order_id}/status`, {
          token: a.access_token,
          body: { status: "shipped", tracking_number: "1ZWA" },
        })
      ).status,
    ).toBe(200);
    const cancel = await call("POST", `/orders/${order.order_id}/status`, {
      token: buyer.access_token,
      body: { status: "cancelled" },
    });
    expect(cancel.status, await cancel.clone().text()).toBe(200);
    const after = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(after.refunded_amount).toBe(3995);
    // B's share was never captured (it was authorised, then let go), so B was never credited or debited;
    // A keeps its sale and its shipping.
    const entries = (s: TestUser) =>
      env.DB.prepare("SELECT kind, amount FROM ledger_entries WHERE seller_id = ? AND account LIKE 'seller:%'")
        .bind(s.user.user_id)
        .all<{ kind: string; amount: number }>();
    await vi.waitFor(
      async () =>
        expect((await entries(a)).results.reduce((n, e) => n + e.amount, 0)).toBeGreaterThan(4000 * 0.8 + 500),
      { timeout: 8000, interval: 200 },
    );
    expect((await entries(b)).results).toEqual([]);
    expect(after.payment).toMatchObject({ captured_amount: 4000 + 260 + 500, released_amount: 3995 });
    // The tax account keeps only A's 260 to remit.
    const taxHeld = () =>
      env.DB.prepare(
        "SELECT COALESCE(SUM(amount), 0) AS n FROM ledger_entries WHERE account = 'platform:tax' AND order_id = ?",
      )
        .bind(order.order_id)
        .first<{ n: number }>();
    await vi.waitFor(async () => expect((await taxHeld())?.n).toBe(260), { timeout: 8000, interval: 200 });
    // The platform's report: collected 455 in US-WA, 195 refunded, 260 net (usd), in JSON and CSV; admins only.
    const path = "/analytics/tax";
    await vi.waitFor(
      async () => {
        const report = await json(await call("GET", path, { token: admin.access_token }));
        expect(report.data.find((j: any) => j.jurisdiction === "US-WA")).toEqual({
          jurisdiction: "US-WA",
          collected: 455,
          refunded: 195,
          net: 260,
          included: 0,
          included_refunded: 0,
          included_net: 0,
          orders: 1,
        });
      },
      { timeout: 8000, interval: 200 },
    );
    const csv = await (await call("GET", `${path}?format=csv`, { token: admin.access_token })).text();
    expect(csv.split("\n")[0]).toContain("jurisdiction");
    expect(csv).toContain("US-WA,455,195,0,0,1,260,0");
    expect((await call("GET", path, { token: a.access_token })).status).toBe(403);
    expect((await call("GET", `${path}?from=2026-13-01`, { token: admin.access_token })).status).toBe(400);
  });

  it("a free-shipping coupon takes off exactly the shipping", async () => {
    const { buyer } = await twoSellers();
    const admin = await adminUser();
    const code = `SHIPFREE${unique()}`
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 30)
      .toUpperCase();
    expect(
      (await call("POST", "/coupons", { token: admin.access_token, body: { code, kind: "free_shipping" } })).status,
    ).toBe(201);
    const without = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: california } }),
    );
    const withCoupon = await json(await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code } }));
    expect(withCoupon.discount).toBe(without.shipping_total);
    expect(withCoupon.total).toBe(without.total - without.shipping_total);
    expect(withCoupon.tax_total).toBe(without.tax_total);
    expect(withCoupon.coupon).toMatchObject({ code, amount: 1300 });
    const order = await json(
      await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: california },
      }),
    );
    expect(order).toMatchObject({ shipping_total: 1300, discount: 1300, total_amount: 7000 + 508 });
  });

  it("an address a seller does not ship to is a 409 not_shippable naming the lines", async () => {
    const { pa, buyer } = await twoSellers();
    const res = await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: tokyo } });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error.code).toBe("not_shippable");
    // Neither seller covers Japan: both lines are named.
    expect(body.error.details.map((d: any) => d.field)).toContain(pa.product_id);
    expect(body.error.details.every((d: any) => d.code === "not_shippable")).toBe(true);
    const order = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: tokyo },
    });
    expect(order.status).toBe(409);
    expect((await json(order)).error.code).toBe("not_shippable");
    // Nothing was held: the cart still checks out to a covered address.
    expect(
      (
        await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: california },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call("POST", "/cart/shipping-address", {
          token: buyer.access_token,
          body: { address: { ...tokyo, country: "JPN" } },
        })
      ).status,
    ).toBe(400);
  });

  it("a seller without a profile ships free everywhere, as before", async () => {
    const cat = await createCategory(`Free ${unique()}`);
    const s = await signup({ role: "seller" });
    const p = await createProduct(s, cat.category_id, { price: 1000 });
    const guest = await call("POST", "/cart/add", { body: { product_id: p.product_id, quantity: 1 } });
    const cartId = guest.headers.get("X-Cart-Id")!;
    const cart = await json(
      await call("POST", "/cart/shipping-address", { headers: { "X-Cart-Id": cartId }, body: { address: tokyo } }),
    );
    expect(cart.shipping_options).toEqual([
      {
        seller_id: s.user.user_id,
        selected: "free",
        options: [{ option_id: "free", name: "Free shipping", amount: 0, min_days: null, max_days: null }],
      },
    ]);
    expect(cart).toMatchObject({ shipping_total: 0, tax_total: 0, tax_included: 91, total: 1000 });
  });

  it("prices by weight band from the variants' weights, and refuses a parcel heavier than the last band", async () => {
    const cat = await createCategory(`Heavy ${unique()}`);
    const s = await signup({ role: "seller" });
    expect(
      (
        await call("PUT", "/seller/shipping-profile", {
          token: s.access_token,
          body: {
            zones: [
              {
                name: "US",
                countries: ["US"],
                rates: [{ name: "Parcel", kind: "weight", amount: 0, min_days: 2, max_days: 5 }],
              },
            ],
          },
        })
      ).status,
    ).toBe(400);
    const bands = [
      { up_to_grams: 1000, amount: 600 },
      { up_to_grams: 5000, amount: 1500 },
    ];
    expect(
      (
        await call("PUT", "/seller/shipping-profile", {
          token: s.access_token,
          body: {
            zones: [
              {
                name: "US",
                countries: ["US"],
                rates: [
                  { name: "Parcel", kind: "weight", amount: 0, min_days: 2, max_days: 5, bands: [...bands].reverse() },
                ],
              },
            ],
          },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("PUT", "/seller/shipping-profile", {
          token: s.access_token,
          body: {
            zones: [
              {
                name: "US",
                countries: ["US"],
                rates: [{ name: "Parcel", kind: "weight", amount: 0, min_days: 2, max_days: 5, bands }],
              },
            ],
          },
        })
      ).status,
    ).toBe(200);
    const res = await call("POST", "/products", {
      token: s.access_token,
      body: {
        name: "Dumbbell",
        description: "Iron",
        price: 2500,
        category_id: cat.category_id,
        variants: [{ options: { mass: "400 g" }, stock_available: 50, weight_grams: 400 }],
      },
    });
    const p = await json(res);
    expect(p.variants[0].weight_grams).toBe(400);
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 2 } });
    const light = await json(
      await call("POST", "/cart/shipping-address", {
        token: buyer.access_token,
        body: { address: { ...california, region: undefined } },
      }),
    );
    expect(light.shipping_total).toBe(600); // 800 g
    const heavier = await json(
      await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } }),
    );
    expect(heavier.shipping_total).toBe(1500); // 1,200 g
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 10 } });
    const order = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: { ...california, region: undefined } },
    });
    expect(order.status).toBe(409); // 5,200 g: past the last band
    expect((await json(order)).error.code).toBe("not_shippable");
    const patched = await call("PATCH", `/products/${p.product_id}/variants/${p.variants[0].variant_id}`, {
      token: s.access_token,
      body: { weight_grams: 300 },
    });
    expect(await json(patched)).toMatchObject({ weight_grams: 300 });
  });
});

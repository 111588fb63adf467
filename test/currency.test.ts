import { describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import { fromUsd, toUsd } from "../src/lib/currency";
import { adminUser, call, createCategory, createProduct, json, signup, unique } from "./helpers";

const berlin = {
  name: "Ada Käuferin",
  line1: "Unter den Linden 1",
  city: "Berlin",
  postal_code: "10117",
  country: "DE",
};

async function rates() {
  const admin = await adminUser();
  const res = await call("PUT", "/admin/fx-rates", {
    token: admin.access_token,
    body: { rates: { eur: 920_000, jpy: 150_000_000 } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return admin;
}

describe("currency conversion", () => {
  it("rounds half up to each currency's minor units, in integers", () => {
    // $19.99 at 0.92 EUR/USD is 18.3908 EUR: 1839 cents. At 150 JPY/USD it is 2998.5 yen: 2999 (JPY has no minor unit).
    expect(fromUsd(1999, "eur", 920_000)).toBe(1839);
    expect(fromUsd(1999, "jpy", 150_000_000)).toBe(2999);
    expect(fromUsd(1, "jpy", 150_000_000)).toBe(2); // 1.5 yen rounds up
    expect(fromUsd(1999, "usd", 1_000_000)).toBe(1999);
    expect(toUsd(2999, "jpy", 150_000_000)).toBe(1999);
    expect(toUsd(1839, "eur", 920_000)).toBe(1999);
    expect(Number.isInteger(fromUsd(123_456_789, "gbp", 790_123))).toBe(true);
  });
});

describe("a cart in another currency", () => {
  it("shows every amount in EUR or JPY, rounded by the currency's rules, and refuses what the store does not sell in", async () => {
    await rates();
    const cat = await createCategory(`Fx ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, { price: 1999, stock_available: 10 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 3 } });
    const eur = await json(
      await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "EUR" } }),
    );
    expect(eur).toMatchObject({ currency: "eur", subtotal: 3 * 1839, total: 3 * 1839 });
    expect(eur.items[0]).toMatchObject({ price: 1839, line_total: 5517 });
    const jpy = await json(
      await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "jpy" } }),
    );
    expect(jpy).toMatchObject({ currency: "jpy", subtotal: 3 * 2999, total: 8997 });
    expect((await json(await call("GET", "/cart", { token: buyer.access_token }))).currency).toBe("jpy");
    const bad = await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "xyz" } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0]).toMatchObject({ field: "currency", code: "unsupported_currency" });
    const rateList = await json(await call("GET", "/fx-rates"));
    expect(rateList.data.find((r: any) => r.currency === "jpy")).toMatchObject({ rate_micro: 150_000_000 });
    expect(
      (await call("PUT", "/admin/fx-rates", { token: buyer.access_token, body: { rates: { eur: 1 } } })).status,
    ).toBe(403);
    expect(
      (await call("PUT", "/admin/fx-rates", { token: (await adminUser()).access_token, body: { rates: { usd: 2 } } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call("PUT", "/admin/fx-rates", {
          token: (await adminUser()).access_token,
          body: { rates: { eur: 0.92 } },
        })
      ).status,
    ).toBe(400);
  });

  it("charges a price the seller set in a currency instead of converting, with the tax on it; a new cart starts in the shopper's region's currency", async () => {
    await rates();
    const cat = await createCategory(`Fx ${unique()}`);
    const seller = await signup({ role: "seller" });
    // $19.99 would be 18.39 EUR and 2,999 yen; the seller prices it at 17.99 EUR and 3,000 yen.
    const p = await createProduct(seller, cat.category_id, {
      price: 1999,
      stock_available: 10,
      prices: { eur: 1799, jpy: 3000 },
    });
    expect(p.prices).toEqual({ eur: 1799, jpy: 3000 });
    const bad = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "x",
        description: "y",
        price: 1,
        category_id: cat.category_id,
        stock_available: 1,
        prices: { xyz: 1 },
      },
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await call("POST", "/products", {
          token: seller.access_token,
          body: {
            name: "x",
            description: "y",
            price: 1,
            category_id: cat.category_id,
            stock_available: 1,
            prices: { eur: 1.5 },
          },
        })
      ).status,
    ).toBe(400);
    const plain = await createProduct(seller, cat.category_id, { price: 1999, stock_available: 10 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 2 } });
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: plain.product_id, quantity: 1 } });
    const jpy = await json(
      await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "jpy" } }),
    );
    expect(jpy.items.map((i: any) => i.price)).toEqual([3000, 2999]);
    expect(jpy.subtotal).toBe(8999);
    await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "eur" } });
    // German VAT on what is charged, inside the price: 3598 × 19/119 = 574.47 → 574; the converted line 1839 × 19/119 = 293.6 → 294.
    const de = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: berlin } }),
    );
    expect(de.items.map((i: any) => [i.price, i.tax])).toEqual([
      [1799, 574],
      [1839, 294],
    ]);
    expect(de).toMatchObject({ subtotal: 2 * 1799 + 1839, tax_included: 574 + 294 });
    const order = await json(
      await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: berlin },
      }),
    );
    expect(order).toMatchObject({ currency: "eur", subtotal: 5437, total_amount: 5437 });
    expect(order.items.find((i: any) => i.product_id === p.product_id)).toMatchObject({ price: 1799, tax: 574 });
    // Patching the set prices (an empty object clears them).
    const cleared = await json(
      await call("PATCH", `/products/${p.product_id}`, { token: seller.access_token, body: { prices: {} } }),
    );
    expect(cleared.prices).toEqual({});

    // A guest in Japan (as Cloudflare locates the request) starts a cart in yen; one from nowhere known, in dollars.
    const add = (country?: string) =>
      exports.default.fetch(
        new Request("http://127.0.0.1/cart/add", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "cf-connecting-ip": `203.0.113.${Math.floor(Math.random() * 250)}`,
          },
          body: JSON.stringify({ product_id: plain.product_id, quantity: 1 }),
          ...(country ? { cf: { country } } : {}),
        } as RequestInit),
      );
    const tokyo = await add("JP");
    expect(tokyo.status).toBe(200);
    expect(await json(tokyo)).toMatchObject({ currency: "jpy", subtotal: 2999 });
    expect((await json(await add("BR"))).currency).toBe("usd");
    expect((await json(await add())).currency).toBe("usd");
  });

  it("checks out in EUR with shipping and tax converted: the charge is in euros, the seller's ledger in dollars at the recorded rate", async () => {
    await rates();
    const cat = await createCategory(`Fx ${unique()}`);
    const seller = await signup({ role: "seller" });
    await call("PUT", "/seller/shipping-profile", {
      token: seller.access_token,
      body: {
        zones: [
          {
            name: "EU",
            countries: ["DE"],
            rates: [{ name: "Europe", kind: "flat", amount: 1000, min_days: 3, max_days: 6 }],
          },
        ],
      },
    });
    const p = await createProduct(seller, cat.category_id, { price: 5000, stock_available: 10 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 2 } });
    await call("POST", "/cart/currency", { token: buyer.access_token, body: { currency: "eur" } });
    const cart = await json(
      await call("POST", "/cart/shipping-address", { token: buyer.access_token, body: { address: berlin } }),
    );
    // $100 of goods is 92.00 EUR; shipping $10 is 9.20 EUR; German VAT (19%) is in the prices, per line: 92.00 × 19/119 = 14.689 → 14.69.
    expect(cart).toMatchObject({
      currency: "eur",
      subtotal: 9200,
      shipping_total: 920,
      tax_total: 0,
      tax_included: 1469,
      total: 10120,
    });
    expect(
      (
        await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: berlin, use_wallet: true },
        })
      ).status,
    ).toBe(400);
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: berlin, expected_total: 10120 },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({ currency: "eur", subtotal: 9200, shipping_total: 920, total_amount: 10120 });
    expect(order.items[0]).toMatchObject({ price: 4600, quantity: 2 });
    expect(order.payment.amount).toBe(10120);
    // The seller's shipment captures the euros; the ledger posts then.
    const shipped = await call("POST", `/orders/${order.order_id}/status`, {
      token: seller.access_token,
      body: { status: "shipped", tracking_number: "1ZEUR" },
    });
    expect(shipped.status).toBe(200);
    // The ledger settles in usd: 92.00 EUR of goods is $100.00 again, 9.20 EUR of shipping $10.00.
    const { vi } = await import("vitest");
    await vi.waitFor(
      async () => {
        const ledger = await json(await call("GET", "/seller/ledger", { token: seller.access_token }));
        const sale = ledger.data.find((e: any) => e.kind === "sale");
        const shipping = ledger.data.find((e: any) => e.kind === "shipping");
        expect(sale).toMatchObject({ currency: "usd", order_id: order.order_id });
        expect(sale.amount).toBeGreaterThan(8000);
        expect(sale.amount).toBeLessThanOrEqual(10000);
        expect(shipping).toMatchObject({ currency: "usd", amount: 1000 });
      },
      { timeout: 8000, interval: 200 },
    );
  });
});

describe("the exchange-rate job (the ECB's daily reference rates)", () => {
  // The shape of the ECB's eurofxref-daily.xml (rates per 1 EUR), without its XML namespaces, which the parser does not read.
  const feed = (usd: string, jpy = "162.50") => `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope>
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube><Cube time='2026-12-01'>
    <Cube currency='USD' rate='${usd}'/><Cube currency='JPY' rate='${jpy}'/><Cube currency='GBP' rate='0.8450'/>
    <Cube currency='CHF' rate='0.9400'/><Cube currency='CAD' rate='1.5000'/><Cube currency='AUD' rate='1.6500'/><Cube currency='SEK' rate='11.2000'/>
  </Cube></Cube>
</gesmes:Envelope>`;
  const receiver = (body: string, status = 200) => {
    const seen: string[] = [];
    const fetchFn = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response(body, { status, headers: { "content-type": "text/xml" } });
    }) as typeof fetch;
    return { seen, fetchFn };
  };
  // A local address only: the test's receiver answers in-process and nothing is dialled.
  const feedEnv = { DB: env.DB, FX_RATES_URL: "http://127.0.0.1:9/eurofxref-daily.xml" };

  it("sets every presentment currency per 1 USD in integer millionths, and records the feed's date", async () => {
    const { refreshFxRates } = await import("../src/services/fx-feed");
    const admin = await rates();
    // Today's rates near the feed's, so no move is refused.
    await call("PUT", "/admin/fx-rates", {
      token: admin.access_token,
      body: { rates: { eur: 920_000, jpy: 150_000_000, gbp: 780_000, chf: 870_000, cad: 1_390_000, aud: 1_520_000 } },
    });
    const { seen, fetchFn } = receiver(feed("1.0800"));
    const out = await refreshFxRates(feedEnv, fetchFn);
    expect(seen).toEqual(["http://127.0.0.1:9/eurofxref-daily.xml"]);
    expect(out).toEqual({ source: "ecb:2026-12-01", updated: ["aud", "cad", "chf", "eur", "gbp", "jpy"], refused: [] });
    const list = (await json(await call("GET", "/fx-rates"))).data as {
      currency: string;
      rate_micro: number;
      source: string;
    }[];
    const rate = (c: string) => list.find((r) => r.currency === c)!;
    // EUR per USD = 1 / 1.08 = 0.925925… → 925926; JPY = 162.50 / 1.08 = 150.462962… → 150462963.
    expect(rate("eur")).toMatchObject({ rate_micro: 925_926, source: "ecb:2026-12-01" });
    expect(rate("jpy").rate_micro).toBe(150_462_963);
    expect(rate("gbp").rate_micro).toBe(782_407);
    expect(list.some((r) => r.currency === "sek")).toBe(false);
  });

  it("keeps a rate the feed moved more than 15% in a day, refuses an unreadable feed, and does nothing unconfigured", async () => {
    const { refreshFxRates } = await import("../src/services/fx-feed");
    const admin = await rates();
    await call("PUT", "/admin/fx-rates", {
      token: admin.access_token,
      body: { rates: { eur: 920_000, jpy: 150_000_000, gbp: 780_000, chf: 870_000, cad: 1_390_000, aud: 1_520_000 } },
    });
    const jump = await refreshFxRates(feedEnv, receiver(feed("1.0800", "250.00")).fetchFn);
    expect(jump.refused).toEqual([{ currency: "jpy", from: 150_000_000, to: 231_481_481 }]);
    expect(jump.updated).not.toContain("jpy");
    const jpy = (await json(await call("GET", "/fx-rates"))).data.find((r: any) => r.currency === "jpy");
    expect(jpy).toMatchObject({ rate_micro: 150_000_000, source: "admin" });
    await expect(refreshFxRates(feedEnv, receiver("<html>maintenance</html>").fetchFn)).rejects.toThrow(/unreadable/);
    await expect(
      refreshFxRates(feedEnv, receiver(feed("1.08").replace(/<Cube currency='USD'[^>]*>/, "")).fetchFn),
    ).rejects.toThrow(/no USD/);
    await expect(refreshFxRates(feedEnv, receiver("", 503).fetchFn)).rejects.toThrow(/503/);
    expect(await refreshFxRates({ DB: env.DB, FX_RATES_URL: "" }, receiver(feed("1.08")).fetchFn)).toMatchObject({
      skipped: expect.stringContaining("FX_RATES_URL"),
      updated: [],
    });
  });

  it("runs in the daily cron", async () => {
    const { CRON_JOBS } = await import("../src/scheduled");
    expect(CRON_JOBS["0 3 * * *"].map((j) => j.name)).toContain("fx-rates");
  });
});

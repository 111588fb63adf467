import { createExecutionContext, createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { driftReport, rebuildRollups } from "../src/services/analytics/reports";
import { buildEvent } from "../src/services/events";
import { adminUser, call, createCategory, createProduct, json, signup, unique } from "./helpers";

async function sale(qty = 2, price = 1500, stock = 10) {
  const cat = await createCategory(`An ${unique()}`);
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, cat.category_id, { stock_available: stock, price });
  const buyer = await signup();
  await call("POST", "/cart/add", {
    token: buyer.access_token,
    body: { product_id: product.product_id, quantity: qty },
  });
  const order = await json(
    await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: "1 Main St" },
    }),
  );
  return { seller, product, buyer, order };
}

describe("seller analytics", () => {
  it("reports a seller's own sales only, from the warehouse", async () => {
    const { seller, product, order } = await sale(2, 1500, 6);
    await vi.waitFor(
      async () => {
        const r = await json(await call("GET", "/analytics/seller", { token: seller.access_token }));
        expect(r).toMatchObject({ revenue: 3000, units_sold: 2, orders: 1, orders_by_status: { paid: 1 } });
        expect(r.top_products[0]).toMatchObject({ product_id: product.product_id, units_sold: 2, revenue: 3000 });
        expect(r.low_stock.map((p: any) => p.product_id)).toContain(product.product_id);
      },
      { timeout: 8000, interval: 200 },
    );
    // Status moves follow.
    await call("POST", `/orders/${order.order_id}/status`, {
      token: seller.access_token,
      body: { status: "shipped", tracking_number: "T" },
    });
    await vi.waitFor(
      async () => {
        const r = await json(await call("GET", "/analytics/seller", { token: seller.access_token }));
        expect(r.orders_by_status).toEqual({ shipped: 1 });
      },
      { timeout: 8000, interval: 200 },
    ); // the warehouse is fed through the events queue

    const other = await signup({ role: "seller" });
    const theirs = await json(await call("GET", "/analytics/seller", { token: other.access_token }));
    expect(theirs).toMatchObject({ revenue: 0, units_sold: 0, orders: 0, top_products: [] });
    expect(
      (await call("GET", `/analytics/seller?seller_id=${seller.user.user_id}`, { token: other.access_token })).status,
    ).toBe(403);
    const buyer = await signup();
    expect((await call("GET", "/analytics/seller", { token: buyer.access_token })).status).toBe(403);
    const admin = await adminUser();
    expect(
      (
        await json(
          await call("GET", `/analytics/seller?seller_id=${seller.user.user_id}`, { token: admin.access_token }),
        )
      ).revenue,
    ).toBe(3000);
    expect((await call("GET", "/analytics/seller?from=2026-13-01", { token: seller.access_token })).status).toBe(400);
    expect(
      (await call("GET", "/analytics/seller?from=2026-05-02&to=2026-05-01", { token: seller.access_token })).status,
    ).toBe(400);

    const csv = await call("GET", "/analytics/seller?format=csv", { token: seller.access_token });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("product_id,name,units_sold,revenue");
    const series = await json(
      await call("GET", "/analytics/seller/timeseries?granularity=day", { token: seller.access_token }),
    );
    expect(series.data).toEqual([expect.objectContaining({ revenue: 3000, units: 2, orders: 1 })]);
    // The dashboard's chart: the same series as SVG, one bar a day of the range, the sale's day $30.00.
    const chart = await call("GET", "/analytics/seller/timeseries?format=svg&from=2026-01-01&to=2026-01-07", {
      token: seller.access_token,
    });
    expect(chart.headers.get("content-type")).toContain("image/svg+xml");
    expect((await chart.text()).match(/<rect /g)).toHaveLength(7);
    const today = new Date().toISOString().slice(0, 10);
    const todays = await (
      await call("GET", `/analytics/seller/timeseries?format=svg&from=${today}&to=${today}`, {
        token: seller.access_token,
      })
    ).text();
    expect(todays).toContain(`<title>${today}: $30.00</title>`);
    // The platform's series counts this seller's sale too; only an admin reads it.
    const platform = await json(await call("GET", "/analytics/platform/timeseries", { token: admin.access_token }));
    expect(platform.data.find((d: { date: string }) => d.date === today).revenue).toBeGreaterThanOrEqual(3000);
    expect((await call("GET", "/analytics/platform/timeseries", { token: seller.access_token })).status).toBe(403);
    expect((await call("GET", "/analytics/seller/timeseries?format=png", { token: seller.access_token })).status).toBe(
      400,
    );
  });

  it("counts a redelivered event once, and the drift report catches a dropped one", async () => {
    const { seller, order } = await sale(1, 2000);
    const event = buildEvent("order.paid", {
      order_id: order.order_id,
      user_id: order.user_id,
      status: "paid",
      total_amount: 2000,
      currency: "usd",
      tracking_number: null,
      seller_ids: [seller.user.user_id],
      items: [{ product_id: order.items[0].product_id, seller_id: seller.user.user_id, quantity: 1, price: 2000 }],
    });
    for (const id of ["a1", "a2"]) {
      const batch = createMessageBatch("marketplace-events", [{ id, body: event, attempts: 1, timestamp: new Date() }]);
      await worker.queue(batch, env, createExecutionContext());
    }
    await vi.waitFor(async () =>
      expect((await json(await call("GET", "/analytics/seller", { token: seller.access_token }))).revenue).toBe(2000),
    );
    expect((await driftReport(env)).drifting.filter((d) => d.seller_id === seller.user.user_id)).toEqual([]);

    // Lose the fact: the nightly drift check names the seller.
    await env.WAREHOUSE.prepare("DELETE FROM fact_order_items WHERE order_id = ?").bind(order.order_id).run();
    const drift = await driftReport(env);
    expect(drift.drifting).toContainEqual({ seller_id: seller.user.user_id, live_revenue: 2000, warehouse_revenue: 0 });
  });

  it("rebuilds daily rollups equal to a direct computation over the facts", async () => {
    const orders = [(await sale(3, 700)).order.order_id, (await sale(1, 900)).order.order_id];
    await vi.waitFor(
      async () => {
        for (const id of orders)
          expect(
            await env.WAREHOUSE.prepare("SELECT 1 FROM fact_order_items WHERE order_id = ?").bind(id).first(),
          ).not.toBeNull();
      },
      { timeout: 8000, interval: 200 },
    ); // the warehouse is fed through the events queue
    // Let any other delivery in flight land before comparing.
    await new Promise((r) => setTimeout(r, 1500));
    await rebuildRollups(env);
    const direct = await env.WAREHOUSE.prepare(
      "SELECT seller_id, date_key, SUM(revenue) AS revenue, SUM(quantity) AS units FROM fact_order_items WHERE status != 'cancelled' GROUP BY seller_id, date_key ORDER BY seller_id, date_key",
    ).all();
    const rollup = await env.WAREHOUSE.prepare(
      "SELECT seller_id, date_key, revenue, units FROM rollup_seller_daily ORDER BY seller_id, date_key",
    ).all();
    expect(rollup.results).toEqual(direct.results);
  });

  it("gives admins the platform view", async () => {
    await sale(1, 1234);
    const admin = await adminUser();
    await vi.waitFor(
      async () => {
        const r = await json(await call("GET", "/analytics/platform", { token: admin.access_token }));
        expect(r.gmv).toBeGreaterThanOrEqual(1234);
        expect(r.top_sellers.length).toBeGreaterThan(0);
      },
      { timeout: 8000, interval: 200 },
    ); // the warehouse is fed through the events queue
    const seller = await signup({ role: "seller" });
    expect((await call("GET", "/analytics/platform", { token: seller.access_token })).status).toBe(403);
  });
});

describe("recommendations and feed", () => {
  it("learns bought-together and taste, never recommends what was bought or is out of stock", async () => {
    const cat = await createCategory(`Reco ${unique()}`);
    const otherCat = await createCategory(`Other ${unique()}`);
    const seller = await signup({ role: "seller" });
    const camera = await createProduct(seller, cat.category_id, {
      name: "Camera",
      stock_available: 50,
      brand: "Lumen",
    });
    const lens = await createProduct(seller, cat.category_id, { name: "Lens", stock_available: 50, brand: "Lumen" });
    const soldOut = await createProduct(seller, cat.category_id, { name: "Strap", stock_available: 1, brand: "Lumen" });
    await createProduct(seller, otherCat.category_id, { name: "Kettle", stock_available: 50, brand: "Boil" });
    const buy = async (ids: string[]) => {
      const b = await signup();
      for (const id of ids)
        await call("POST", "/cart/add", { token: b.access_token, body: { product_id: id, quantity: 1 } });
      expect(
        (
          await call("POST", "/orders", {
            token: b.access_token,
            body: { payment_method: "pm_card_visa", shipping_address: "x" },
          })
        ).status,
      ).toBe(201);
      return b;
    };
    await buy([camera.product_id, lens.product_id]);
    await buy([camera.product_id, soldOut.product_id]); // sells the last strap
    const fan = await buy([camera.product_id]);
    await vi.waitFor(
      async () => {
        const r = await json(await call("GET", `/products/${camera.product_id}/related`));
        expect(r.data[0]).toMatchObject({ product: { product_id: lens.product_id }, reason: "bought_together" });
        expect(r.data.map((x: any) => x.product.product_id)).not.toContain(soldOut.product_id);
      },
      { timeout: 8000, interval: 200 },
    );
    await vi.waitFor(
      async () => {
        const mine = await json(await call("GET", "/recommendations", { token: fan.access_token }));
        const ids = mine.data.map((x: any) => x.product.product_id);
        expect(ids).not.toContain(camera.product_id);
        expect(ids).toContain(lens.product_id);
        expect(mine.data[0].reason).toBe("your_categories");
      },
      { timeout: 8000, interval: 200 },
    );
    const guest = await json(await call("GET", "/recommendations"));
    expect(guest.data.every((x: any) => x.reason === "popular" && x.product.stock_available > 0)).toBe(true);
    const feed = await json(await call("GET", "/feed", { token: fan.access_token }));
    expect(feed.sections[0].key).toBe("recommended");
    const guestFeed = await call("GET", "/feed");
    expect(guestFeed.headers.get("cache-control")).toContain("public");
    expect((await json(guestFeed)).sections.map((s: any) => s.key)).toEqual(
      expect.arrayContaining(["popular", "new_arrivals"]),
    );
    expect((await call("GET", "/products/prd_NOPE/related")).status).toBe(404);
    // The feed shows nothing archived or out of stock.
    await call("DELETE", `/products/${lens.product_id}`, { token: seller.access_token });
    const after = await json(await call("GET", "/feed?limit=50", { token: fan.access_token }));
    for (const section of after.sections) {
      for (const p of section.items) {
        expect(p.status).toBe("active");
        expect(p.stock_available).toBeGreaterThan(0);
        expect(p.product_id).not.toBe(soldOut.product_id);
      }
    }
  });
});

describe("product views", () => {
  it("reach the warehouse once each from grouped messages, old single-view ones and redeliveries alike", async () => {
    const cat = await createCategory(`Views ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id);
    const at = new Date().toISOString();
    const view = (i: number) => ({
      view_id: `view_${product.product_id}_${i}`,
      product_id: product.product_id,
      seller_id: seller.user.user_id,
      user_id: null,
      at,
    });
    const grouped = { type: "product.views", views: Array.from({ length: 250 }, (_, i) => view(i)) };
    // What the isolate sends must fit a queue message (128 KB) with room to spare.
    expect(JSON.stringify(grouped).length).toBeLessThan(64 * 1024);
    const batch = createMessageBatch<unknown>("marketplace-analytics", [
      { id: "v1", body: grouped, attempts: 1, timestamp: new Date() },
      { id: "v2", body: { type: "product.viewed", ...view(250) }, attempts: 1, timestamp: new Date() },
      { id: "v3", body: grouped, attempts: 2, timestamp: new Date() },
    ]);
    await worker.queue(batch, env, createExecutionContext());
    const count = await env.WAREHOUSE.prepare("SELECT COUNT(*) AS n FROM fact_product_views WHERE product_id = ?")
      .bind(product.product_id)
      .first<{ n: number }>();
    expect(count?.n).toBe(251);
  });

  it("counts every page view through the API, however the isolate groups them", async () => {
    const cat = await createCategory(`Views ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id);
    for (let i = 0; i < 120; i++) expect((await call("GET", `/products/${product.product_id}`)).status).toBe(200);
    await vi.waitFor(
      async () => {
        const count = await env.WAREHOUSE.prepare("SELECT COUNT(*) AS n FROM fact_product_views WHERE product_id = ?")
          .bind(product.product_id)
          .first<{ n: number }>();
        expect(count?.n).toBe(120);
      },
      { timeout: 10_000, interval: 250 },
    );
  });
});

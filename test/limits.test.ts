import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eachOrderShard } from "../src/db/shards";
import { seal } from "../src/lib/secret-box";
import { buildEvent } from "../src/services/events";
import { listOrders } from "../src/services/orders";
import { fanOutOrderEvent, overrideWebhookFetch } from "../src/services/webhooks";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

// D1 binds at most 100 values per statement (Cloudflare's D1 limits page):
// each path below put one value per item in a single statement and answered 500 past 100 items.
describe("lists past D1's 100 bound values", () => {
  it("a buyer with 101 orders lists a page of 100, then the rest, and a seller likewise", async () => {
    const cat = await createCategory(`Lim ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 500, price: 100 });
    const buyer = await signup();
    for (let i = 0; i < 101; i++) {
      await call("POST", "/cart/add", {
        token: buyer.access_token,
        body: { product_id: product.product_id, quantity: 1 },
      });
      expect(
        (
          await call("POST", "/orders", {
            token: buyer.access_token,
            body: { payment_method: "pm_card_visa", shipping_address: "x" },
          })
        ).status,
      ).toBe(201);
    }
    const page = await call("GET", "/orders?limit=100", { token: buyer.access_token });
    expect(page.status, await page.clone().text()).toBe(200);
    const first = await json(page);
    expect(first.data).toHaveLength(100);
    const rest = await json(
      await call("GET", `/orders?limit=100&cursor=${encodeURIComponent(first.next_cursor)}`, {
        token: buyer.access_token,
      }),
    );
    expect(rest.data).toHaveLength(1);
    const sellerPage = await call("GET", "/seller/orders?limit=100", { token: seller.access_token });
    expect(sellerPage.status).toBe(200);
    expect((await json(sellerPage)).data).toHaveLength(100);
    const paid = await call("GET", "/seller/orders?status=paid&limit=51", { token: seller.access_token });
    expect(paid.status).toBe(200);
    expect((await json(paid)).data).toHaveLength(51);
  });

  it("a page of 101 order ids from one database is read in chunks", async () => {
    // One order database, so all 101 ids meet in one read (the suite runs with two, which halves each read).
    const one = Object.create(env, { ORDER_SHARDS: { value: "1" } }) as Env;
    const buyer = `usr_ONEDB${unique()}`.toUpperCase().slice(0, 30);
    const ids = Array.from({ length: 101 }, (_, i) =>
      `ord_ONEDB${String(i).padStart(3, "0")}${unique()}`.toUpperCase().slice(0, 30),
    );
    for (let i = 0; i < ids.length; i += 20) {
      await env.DB.batch(
        ids
          .slice(i, i + 20)
          .flatMap((id) => [
            env.DB.prepare(
              "INSERT INTO orders (id, user_id, status, subtotal, discount, shipping, total_amount, wallet_amount, currency, coupon_codes, shipping_address, refunded_amount) VALUES (?, ?, 'paid', 100, 0, 0, 100, 0, 'usd', '[]', '\"x\"', 0)",
            ).bind(id, buyer),
            env.DB.prepare("INSERT INTO order_index (owner_id, role, order_id) VALUES (?, 'buyer', ?)").bind(buyer, id),
          ]),
      );
    }
    const page = await listOrders(one, buyer, 100);
    expect(page.data).toHaveLength(100);
    expect(page.next_cursor).toBeTruthy();
  });

  it("marks 100 notifications read in one request", async () => {
    const u = await signup();
    const ids = Array.from({ length: 100 }, (_, i) =>
      `ntf_LIMIT${String(i).padStart(3, "0")}${unique()}`.toUpperCase().slice(0, 30),
    );
    for (let i = 0; i < ids.length; i += 20) {
      await env.DB.batch(
        ids
          .slice(i, i + 20)
          .map((id) =>
            env.DB.prepare(
              "INSERT INTO notifications (id, user_id, kind, channel, title, body, status, dedupe_key) VALUES (?, ?, 'promotion', 'in_app', 't', 'b', 'sent', ?)",
            ).bind(id, u.user.user_id, `lim:${id}`),
          ),
      );
    }
    const res = await call("POST", "/notifications/read", { token: u.access_token, body: { notification_ids: ids } });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const unread = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND kind = 'promotion' AND read_at IS NULL",
    )
      .bind(u.user.user_id)
      .first<{ n: number }>();
    expect(unread!.n).toBe(0);
  });

  it("an order whose sellers have 30 active webhooks gets a delivery for each", async () => {
    const sellerId = `usr_HOOKS${unique()}`.toUpperCase().slice(0, 30);
    // The queued deliveries reach a local stand-in receiver (this file's module state only).
    overrideWebhookFetch(async () => new Response("ok"));
    for (let i = 0; i < 30; i++) {
      const id = `whk_${sellerId}${i}`.slice(0, 40);
      await env.DB.prepare(
        "INSERT INTO seller_webhooks (id, seller_id, url, sealed_secret, active) VALUES (?, ?, 'http://127.0.0.1:9/hook', ?, 1)",
      )
        .bind(id, sellerId, await seal(env, id, `whsec_${i}`))
        .run();
    }
    const event = buildEvent("order.paid", {
      order_id: `ord_HOOKS${unique()}`.toUpperCase().slice(0, 30),
      user_id: "usr_buyer",
      status: "paid",
      total_amount: 100,
      currency: "usd",
      seller_ids: [sellerId],
      items: [{ product_id: "prd_x", seller_id: sellerId, quantity: 1, price: 100 }],
    });
    await fanOutOrderEvent(env, event);
    let n = 0;
    for (const e of eachOrderShard(env))
      n += (await e.DB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE event_id = ?")
        .bind(event.id)
        .first<{ n: number }>())!.n;
    expect(n).toBe(30);
  });
});

describe("a seller's catalog import", () => {
  it("imports 500 products in one request under the platform limits, all or nothing", async () => {
    const seller = await signup({ role: "seller" });
    const cat = await createCategory(unique("Bulk"));
    const item = (i: number) => ({
      name: `Bulk item ${i}`,
      description: `Item number ${i} of the feed`,
      price: 100 + i,
      category_id: cat.category_id,
      stock_available: i % 7,
      brand: "Feedco",
    });
    const res = await call("POST", "/products/bulk", {
      token: seller.access_token,
      body: { products: Array.from({ length: 500 }, (_, i) => item(i)) },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await json(res)).count).toBe(500);
    let listed = 0;
    let cursor: string | null = null;
    do {
      const page: any = await json(
        await call("GET", `/products?seller_id=${seller.user.user_id}&limit=100${cursor ? `&cursor=${cursor}` : ""}`),
      );
      listed += page.data.length;
      cursor = page.next_cursor;
    } while (cursor);
    expect(listed).toBe(500);

    // One bad item: nothing is created, and the error names it.
    const bad = Array.from({ length: 10 }, (_, i) => item(i));
    bad[7] = { ...bad[7], category_id: "cat_00000000000000000000000000" };
    const refused = await call("POST", "/products/bulk", { token: seller.access_token, body: { products: bad } });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.details[0].field).toBe("products.7.category_id");
    const invalid = await call("POST", "/products/bulk", {
      token: seller.access_token,
      body: { products: [{ ...item(1), price: -1 }] },
    });
    expect((await json(invalid)).error.details[0].field).toBe("products.0.price");
    const tooMany = await call("POST", "/products/bulk", {
      token: seller.access_token,
      body: { products: Array.from({ length: 501 }, (_, i) => item(i)) },
    });
    expect(tooMany.status).toBe(400);
  }, 60_000);
});

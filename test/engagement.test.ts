import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { onOrderShard } from "../src/db/shards";
import { newId } from "../src/lib/ids";
import { indexOrder } from "../src/services/orders";
import { remindAbandonedCarts, ABANDONED_AFTER_MS } from "../src/services/cart";
import { buildEvent } from "../src/services/events";
import { overrideChannelProvider } from "../src/services/notifications/channels";
import { signAccessToken } from "../src/services/tokens";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

afterEach(() => overrideChannelProvider(null));

const address = "1 Main St, Springfield";

async function deliverEvents(
  messages: { id: string; body: unknown; attempts?: number }[],
  queue = "marketplace-events",
) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts ?? 1, timestamp: new Date() })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** A buyer with a delivered order of the product, through the real flow. */
async function deliveredBuyer(product: any, seller: TestUser) {
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const order = await json(
    await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    }),
  );
  await call("POST", `/orders/${order.order_id}/status`, {
    token: seller.access_token,
    body: { status: "shipped", tracking_number: "TRK1" },
  });
  await call("POST", `/orders/${order.order_id}/status`, { token: seller.access_token, body: { status: "delivered" } });
  return { buyer, order };
}

async function shop(stock = 100) {
  const cat = await createCategory(`Eng ${unique()}`);
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, cat.category_id, { stock_available: stock, price: 1000 });
  return { seller, product };
}

describe("reviews", () => {
  it("only a buyer with a delivered order reviews, once; the product's rating follows; moderation corrects it", async () => {
    const { seller, product } = await shop();
    const stranger = await signup();
    const body = { product_id: product.product_id, rating: 5, comment: "Great" };
    const denied = await call("POST", "/reviews", { token: stranger.access_token, body });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe("not_a_verified_buyer");

    // Paid but not delivered: still 403.
    const early = await signup();
    await call("POST", "/cart/add", {
      token: early.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    await call("POST", "/orders", {
      token: early.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    });
    expect((await call("POST", "/reviews", { token: early.access_token, body })).status).toBe(403);

    const a = await deliveredBuyer(product, seller);
    const b = await deliveredBuyer(product, seller);
    const first = await call("POST", "/reviews", { token: a.buyer.access_token, body });
    expect(first.status).toBe(201);
    const review = await json(first);
    expect(review).toMatchObject({
      product_id: product.product_id,
      user_id: a.buyer.user.user_id,
      rating: 5,
      comment: "Great",
    });
    const again = await call("POST", "/reviews", { token: a.buyer.access_token, body });
    expect(again.status).toBe(409);
    await call("POST", "/reviews", { token: b.buyer.access_token, body: { ...body, rating: 2, comment: "Meh" } });

    let list = await json(await call("GET", `/reviews?product_id=${product.product_id}`));
    expect(list).toMatchObject({ rating_average: 3.5, rating_count: 2, histogram: { "5": 1, "2": 1 } });
    expect((await json(await call("GET", `/products/${product.product_id}`))).rating_average).toBe(3.5);

    const admin = await adminUser();
    await call("POST", `/reviews/${review.review_id}/moderation`, {
      token: admin.access_token,
      body: { status: "hidden" },
    });
    list = await json(await call("GET", `/reviews?product_id=${product.product_id}`));
    expect(list).toMatchObject({ rating_average: 2, rating_count: 1 });
    expect(list.data).toHaveLength(1);
    expect(
      (
        await call("POST", `/reviews/${review.review_id}/moderation`, {
          token: a.buyer.access_token,
          body: { status: "visible" },
        })
      ).status,
    ).toBe(403);

    // Seller reply and helpful votes.
    const other = (await json(await call("GET", `/reviews?product_id=${product.product_id}`))).data[0];
    const reply = await call("POST", `/reviews/${other.review_id}/reply`, {
      token: seller.access_token,
      body: { reply: "Thanks for the feedback" },
    });
    expect((await json(reply)).seller_reply).toBe("Thanks for the feedback");
    const stranger2 = await signup({ role: "seller" });
    expect(
      (await call("POST", `/reviews/${other.review_id}/reply`, { token: stranger2.access_token, body: { reply: "x" } }))
        .status,
    ).toBe(403);
    await call("POST", `/reviews/${other.review_id}/helpful`, { token: stranger.access_token });
    const voted = await json(
      await call("POST", `/reviews/${other.review_id}/helpful`, { token: stranger.access_token }),
    );
    expect(voted.helpful_count).toBe(1);
    expect((await call("GET", "/reviews")).status).toBe(400);
    expect((await call("POST", "/reviews", { token: a.buyer.access_token, body: { ...body, rating: 6 } })).status).toBe(
      400,
    );
  });

  it("50 concurrent reviews of one product leave an exact aggregate", async () => {
    const { product } = await shop();
    const buyers: { id: string; token: string; rating: number }[] = [];
    for (let i = 0; i < 50; i++) {
      const id = newId("user");
      const orderId = newId("order");
      // Written where the orders module would: the order in its database, the buyer's index row in theirs.
      const { DB } = onOrderShard(env, orderId);
      await DB.batch([
        DB.prepare(
          "INSERT INTO orders (id, user_id, status, subtotal, discount, total_amount, currency, shipping_address, delivered_at) VALUES (?, ?, 'delivered', 1000, 0, 1000, 'usd', '\"x\"', ?)",
        ).bind(orderId, id, new Date().toISOString()),
        DB.prepare(
          "INSERT INTO order_items (id, order_id, product_id, seller_id, name, quantity, price, status) VALUES (?, ?, ?, 'usr_s', 'x', 1, 1000, 'delivered')",
        ).bind(newId("orderItem"), orderId, product.product_id),
      ]);
      await indexOrder(env, orderId, id, ["usr_s"]);
      buyers.push({ id, token: await signAccessToken(env, { id, role: "buyer" }), rating: (i % 5) + 1 });
    }
    const results = await Promise.all(
      buyers.map((b) =>
        call("POST", "/reviews", {
          token: b.token,
          body: { product_id: product.product_id, rating: b.rating, comment: "ok" },
        }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const p = await json(await call("GET", `/products/${product.product_id}`));
    expect(p.rating_count).toBe(50);
    expect(p.rating_average).toBe(3);
  });
});

describe("notifications", () => {
  it("order status changes notify the buyer in-app and by email, once, by preference", async () => {
    const { seller, product } = await shop();
    const { buyer, order } = await deliveredBuyer(product, seller);
    // The real queues deliver: paid, shipped and delivered arrive in the inbox and the sink.
    await vi.waitFor(
      async () => {
        const inbox = await json(await call("GET", "/notifications", { token: buyer.access_token }));
        const kinds = inbox.data.map((n: any) => n.kind);
        expect(kinds).toEqual(expect.arrayContaining(["order_paid", "order_shipped", "order_delivered"]));
        expect(inbox.unread_count).toBeGreaterThanOrEqual(3);
        const shipped = inbox.data.find((n: any) => n.kind === "order_shipped");
        expect(shipped.body).toContain("TRK1");
        expect(shipped.data.order_id).toBe(order.order_id);
      },
      { timeout: 8000, interval: 200 },
    );
    const admin = await adminUser();
    await vi.waitFor(
      async () => {
        const sink = await json(
          await call("GET", `/dev/messages?recipient=${encodeURIComponent(buyer.user.email)}`, {
            token: admin.access_token,
          }),
        );
        expect(sink.data.map((m: any) => m.subject)).toEqual(
          expect.arrayContaining(["Payment received", "Your order has shipped"]),
        );
      },
      { timeout: 8000, interval: 200 },
    );

    // Redelivery of the same event creates nothing new.
    const event = buildEvent("order.shipped", {
      order_id: order.order_id,
      user_id: buyer.user.user_id,
      status: "shipped",
      total_amount: 1000,
      currency: "usd",
      tracking_number: "X",
      seller_ids: [],
      items: [],
    });
    await deliverEvents([{ id: "m1", body: event }]);
    await deliverEvents([{ id: "m2", body: event }]);
    const rows = await env.DB.prepare("SELECT channel FROM notifications WHERE dedupe_key LIKE ?")
      .bind(`event:${event.id}:%`)
      .all<{ channel: string }>();
    expect(rows.results.map((r) => r.channel).sort()).toEqual(["email", "in_app"]);

    // Muting email for shipping updates leaves only in-app.
    const prefs = await call("PATCH", `/users/${buyer.user.user_id}/notification-preferences`, {
      token: buyer.access_token,
      body: { order_shipped: ["in_app"] },
    });
    expect((await json(prefs)).order_shipped).toEqual(["in_app"]);
    const muted = buildEvent("order.shipped", { ...(event.data as any) });
    await deliverEvents([{ id: "m3", body: muted }]);
    const mutedRows = await env.DB.prepare("SELECT channel FROM notifications WHERE dedupe_key LIKE ?")
      .bind(`event:${muted.id}:%`)
      .all<{ channel: string }>();
    expect(mutedRows.results.map((r) => r.channel)).toEqual(["in_app"]);
    const stranger = await signup();
    expect(
      (await call("GET", `/users/${buyer.user.user_id}/notification-preferences`, { token: stranger.access_token }))
        .status,
    ).toBe(404);
    expect(
      (
        await call("PATCH", `/users/${buyer.user.user_id}/notification-preferences`, {
          token: buyer.access_token,
          body: { order_shipped: ["pigeon"] },
        })
      ).status,
    ).toBe(400);

    // Mark read.
    await call("POST", "/notifications/read", { token: buyer.access_token, body: { all: true } });
    expect((await json(await call("GET", "/notifications", { token: buyer.access_token }))).unread_count).toBe(0);
  });

  it("admins send (202); others cannot; a failing provider ends failed and dead-lettered", async () => {
    const admin = await adminUser();
    const user = await signup();
    const sent = await call("POST", "/notifications", {
      token: admin.access_token,
      body: { user_id: user.user.user_id, type: "in_app", title: "Hi", body: "Hello" },
    });
    expect(sent.status).toBe(202);
    expect(
      (await json(await call("GET", "/notifications", { token: user.access_token }))).data.some(
        (n: any) => n.title === "Hi",
      ),
    ).toBe(true);
    expect(
      (
        await call("POST", "/notifications", {
          token: user.access_token,
          body: { user_id: user.user.user_id, type: "in_app", title: "x", body: "y" },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("POST", "/notifications", {
          token: admin.access_token,
          body: { user_id: user.user.user_id, type: "fax", title: "x", body: "y" },
        })
      ).status,
    ).toBe(400);

    overrideChannelProvider({ send: async () => Promise.reject(new Error("provider down")) });
    const ids = await json(
      await call("POST", "/notifications", {
        token: admin.access_token,
        body: { user_id: user.user.user_id, type: "email", title: "Doomed", body: "x" },
      }),
    );
    const id = ids.notification_ids[0];
    const retry = await deliverEvents(
      [{ id: `n-${id}-1`, body: { notification_id: id }, attempts: 1 }],
      "marketplace-notifications",
    );
    expect(retry.retryMessages.map((m) => m.msgId)).toEqual([`n-${id}-1`]);
    const final = await deliverEvents(
      [{ id: `n-${id}-5`, body: { notification_id: id }, attempts: 5 }],
      "marketplace-notifications",
    );
    expect(final.explicitAcks).toEqual([`n-${id}-5`]);
    const row = await env.DB.prepare("SELECT status, attempts FROM notifications WHERE id = ?")
      .bind(id)
      .first<{ status: string; attempts: number }>();
    expect(row).toMatchObject({ status: "failed", attempts: 2 });
    const dead = await json(await call("GET", "/admin/dead-letters", { token: admin.access_token }));
    expect(dead.data.some((d: any) => d.message_id === `n-${id}-5`)).toBe(true);
  });
});

describe("wishlist and back in stock", () => {
  it("notifies wishlisters once when a product goes from 0 to available", async () => {
    const { seller, product } = await shop(0);
    const fan = await signup();
    expect(
      (await call("POST", "/wishlist", { token: fan.access_token, body: { product_id: product.product_id } })).status,
    ).toBe(201);
    const list = await json(await call("GET", "/wishlist", { token: fan.access_token }));
    expect(list.data.map((w: any) => w.product_id)).toEqual([product.product_id]);
    await call("POST", `/inventory/${product.product_id}`, { token: seller.access_token, body: { quantity: 5 } });
    await vi.waitFor(
      async () => {
        const inbox = await json(await call("GET", "/notifications", { token: fan.access_token }));
        expect(inbox.data.filter((n: any) => n.kind === "back_in_stock")).toHaveLength(1);
      },
      { timeout: 8000, interval: 200 },
    );
    // More stock while already in stock: no second alert.
    await call("POST", `/inventory/${product.product_id}`, { token: seller.access_token, body: { quantity: 5 } });
    await new Promise((r) => setTimeout(r, 1500));
    const inbox = await json(await call("GET", "/notifications", { token: fan.access_token }));
    expect(inbox.data.filter((n: any) => n.kind === "back_in_stock")).toHaveLength(1);
    expect((await call("DELETE", `/wishlist/${product.product_id}`, { token: fan.access_token })).status).toBe(204);
    expect((await call("DELETE", `/wishlist/${product.product_id}`, { token: fan.access_token })).status).toBe(404);
  });
});

describe("abandoned carts", () => {
  it("reminds once per idle period", async () => {
    const { product } = await shop();
    const shopper = await signup();
    await call("POST", "/cart/add", {
      token: shopper.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const cartId = (await json(await call("GET", "/cart", { token: shopper.access_token }))).cart_id;
    // The cart's summary reaches D1 about a second after the change (src/durable/cart.ts).
    await vi.waitFor(
      async () => expect(await env.DB.prepare("SELECT 1 FROM carts WHERE id = ?").bind(cartId).first()).not.toBeNull(),
      { timeout: 5000, interval: 100 },
    );
    const old = Date.now() - ABANDONED_AFTER_MS - 60_000;
    await env.DB.prepare("UPDATE carts SET last_activity_at = ? WHERE id = ?").bind(old, cartId).run();
    await remindAbandonedCarts(env);
    await remindAbandonedCarts(env);
    const count = async () =>
      (await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND kind = 'abandoned_cart' AND channel = 'in_app'",
      )
        .bind(shopper.user.user_id)
        .first<{ n: number }>())!.n;
    expect(await count()).toBe(1);
    // A new idle period (the shopper came back, then left again) earns one more.
    await env.DB.prepare("UPDATE carts SET last_activity_at = ? WHERE id = ?")
      .bind(old + 1000, cartId)
      .run();
    await remindAbandonedCarts(env);
    expect(await count()).toBe(2);
  });
});

describe("abandoned carts after a checkout", () => {
  it("a paid cart is not reminded of, though its summary is not rewritten at checkout: the job asks the cart and corrects it", async () => {
    const { product } = await shop();
    const shopper = await signup();
    await call("POST", "/cart/add", {
      token: shopper.access_token,
      body: { product_id: product.product_id, quantity: 2 },
    });
    const cartId = (await json(await call("GET", "/cart", { token: shopper.access_token }))).cart_id;
    await vi.waitFor(
      async () =>
        expect(await env.DB.prepare("SELECT item_count FROM carts WHERE id = ?").bind(cartId).first("item_count")).toBe(
          2,
        ),
      { timeout: 5000, interval: 100 },
    );
    expect(
      (
        await call("POST", "/orders", {
          token: shopper.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: "1 Main St" },
        })
      ).status,
    ).toBe(201);
    const old = Date.now() - ABANDONED_AFTER_MS - 60_000;
    await env.DB.prepare("UPDATE carts SET last_activity_at = ? WHERE id = ?").bind(old, cartId).run();
    await remindAbandonedCarts(env);
    const reminded = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND kind = 'abandoned_cart'",
    )
      .bind(shopper.user.user_id)
      .first<{ n: number }>();
    expect(reminded!.n).toBe(0);
    expect(await env.DB.prepare("SELECT item_count FROM carts WHERE id = ?").bind(cartId).first("item_count")).toBe(0);
  });
});

describe("seller webhooks", () => {
  it("POSTs signed order events to the seller's receiver, logs deliveries, and retries failures", async () => {
    const { overrideWebhookFetch, verifySignature, SIGNATURE_HEADER } = await import("../src/services/webhooks");
    const received: { headers: Headers; body: string }[] = [];
    let failNext = 1;
    overrideWebhookFetch(async (_url, init) => {
      const req = new Request("http://127.0.0.1:9/hook", init as RequestInit);
      const body = await req.text();
      if (failNext-- > 0) return new Response("busy", { status: 503 });
      received.push({ headers: req.headers, body });
      return new Response("ok");
    });
    try {
      const { seller, product } = await shop();
      const reg = await call("POST", "/webhooks", {
        token: seller.access_token,
        body: { url: "http://127.0.0.1:9/hook" },
      });
      expect(reg.status).toBe(201);
      const hook = await json(reg);
      expect(hook.secret).toMatch(/^whsec_/);
      expect(
        (await call("POST", "/webhooks", { token: seller.access_token, body: { url: "http://127.0.0.2:9/hook" } }))
          .status,
      ).toBe(400);
      const buyer = await signup();
      expect(
        (await call("POST", "/webhooks", { token: buyer.access_token, body: { url: "http://127.0.0.1:9/x" } })).status,
      ).toBe(403);

      await call("POST", "/cart/add", {
        token: buyer.access_token,
        body: { product_id: product.product_id, quantity: 1 },
      });
      await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: address },
      });
      await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(1), { timeout: 15000, interval: 200 });
      const got = received[0];
      const event = JSON.parse(got.body);
      expect(event.type).toBe("order.paid");
      expect(event.data.items.every((i: any) => i.seller_id === seller.user.user_id)).toBe(true);
      const header = got.headers.get(SIGNATURE_HEADER)!;
      expect(await verifySignature(hook.secret, header, got.body)).toBe(true);
      expect(await verifySignature(hook.secret, header, got.body.replace("order.paid", "order.pwned"))).toBe(false);
      expect(await verifySignature("whsec_wrong", header, got.body)).toBe(false);

      const log = await json(
        await call("GET", `/webhooks/${hook.webhook_id}/deliveries`, { token: seller.access_token }),
      );
      expect(log.data[0]).toMatchObject({
        event_type: "order.paid",
        status: "delivered",
        attempts: 2,
        result: "delivered",
      });
      const other = await signup({ role: "seller" });
      expect((await call("GET", `/webhooks/${hook.webhook_id}/deliveries`, { token: other.access_token })).status).toBe(
        404,
      );
    } finally {
      overrideWebhookFetch(null);
    }
  });
});

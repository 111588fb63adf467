import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eachOrderShard, onOrderShard } from "../src/db/shards";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

const address = { name: "Ada Buyer", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" };

async function setup(stock = 10, price = 2500) {
  const cat = await createCategory(`Shop ${unique()}`);
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, cat.category_id, { stock_available: stock, price });
  return { cat, seller, product };
}

async function addToCart(user: TestUser, product_id: string, quantity = 1) {
  const res = await call("POST", "/cart/add", { token: user.access_token, body: { product_id, quantity } });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

async function checkout(user: TestUser, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return call("POST", "/orders", {
    token: user.access_token,
    body: { payment_method: "pm_card_visa", shipping_address: address, ...body },
    headers,
  });
}

async function stockOf(productId: string): Promise<number> {
  return (await json(await call("GET", `/products/${productId}`))).stock_available;
}

describe("cart", () => {
  it("gives a guest a cart id, keeps it, and merges it into the user's cart at login", async () => {
    const { product } = await setup(5);
    const { product: other } = await setup(5);
    const first = await call("POST", "/cart/add", { body: { product_id: product.product_id, quantity: 2 } });
    expect(first.status).toBe(200);
    const cartId = first.headers.get("X-Cart-Id")!;
    expect(cartId).toMatch(/^crt_/);
    expect((await json(first)).cart_id).toBe(cartId);
    const second = await call("POST", "/cart/add", {
      body: { product_id: other.product_id, quantity: 1 },
      headers: { "X-Cart-Id": cartId },
    });
    const guestCart = await json(second);
    expect(guestCart.items).toHaveLength(2);
    expect(guestCart.subtotal).toBe(2500 * 3);
    expect(guestCart.user_id).toBeNull();

    const user = await signup();
    await addToCart(user, product.product_id, 4);
    const login = await call("POST", "/auth/login", {
      body: { email: user.user.email, password: user.password },
      headers: { "X-Cart-Id": cartId },
    });
    expect(login.status).toBe(200);
    const merged = await json(await call("GET", "/cart", { token: user.access_token }));
    const byProduct = Object.fromEntries(merged.items.map((i: any) => [i.product_id, i.quantity]));
    expect(byProduct[product.product_id]).toBe(5); // 4 + 2, capped by stock 5
    expect(byProduct[other.product_id]).toBe(1);
    const emptied = await json(await call("GET", "/cart", { headers: { "X-Cart-Id": cartId } }));
    expect(emptied.items).toHaveLength(0);

    expect((await call("GET", "/cart", { headers: { "X-Cart-Id": "not-a-cart" } })).status).toBe(400);
  });

  it("validates adds and removes, and shows price changes since adding", async () => {
    const { product, seller } = await setup(3);
    const user = await signup();
    expect(
      (
        await call("POST", "/cart/add", {
          token: user.access_token,
          body: { product_id: product.product_id, quantity: 0 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("POST", "/cart/add", {
          token: user.access_token,
          body: { product_id: product.product_id, quantity: 100 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call("POST", "/cart/add", {
          token: user.access_token,
          body: { product_id: product.product_id, quantity: 1, price: 1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call("POST", "/cart/add", { token: user.access_token, body: { product_id: "prd_NOPE", quantity: 1 } }))
        .status,
    ).toBe(404);
    expect(
      (
        await call("POST", "/cart/add", {
          token: user.access_token,
          body: { product_id: product.product_id, quantity: 4 },
        })
      ).status,
    ).toBe(409);
    await addToCart(user, product.product_id, 2);
    await call("PATCH", `/products/${product.product_id}`, { token: seller.access_token, body: { price: 2000 } });
    const cart = await json(await call("GET", "/cart", { token: user.access_token }));
    expect(cart.items[0]).toMatchObject({ price_when_added: 2500, price: 2000, price_changed: true, quantity: 2 });
    expect(cart).toMatchObject({ subtotal: 4000, total: 4000, price_changes: true, currency: "usd" });
    const removed = await json(
      await call("POST", "/cart/remove", {
        token: user.access_token,
        body: { product_id: product.product_id, quantity: 1 },
      }),
    );
    expect(removed.items[0].quantity).toBe(1);
    const gone = await json(
      await call("POST", "/cart/remove", { token: user.access_token, body: { product_id: product.product_id } }),
    );
    expect(gone.items).toHaveLength(0);
    expect(
      (await call("POST", "/cart/remove", { token: user.access_token, body: { product_id: product.product_id } }))
        .status,
    ).toBe(404);
  });
});

describe("coupons", () => {
  it("applies percent and fixed coupons, refuses unknown (404), inapplicable (409) and stacking (409)", async () => {
    const { product, seller } = await setup(10, 5000);
    const admin = await adminUser();
    const pct = `PCT${unique()}`.slice(0, 30).toUpperCase();
    const fixed = `FIX${unique()}`.slice(0, 30);
    const big = `BIG${unique()}`.slice(0, 30);
    for (const body of [
      { code: pct, kind: "percent", value: 10 },
      { code: fixed, kind: "fixed", value: 700, combinable: true },
      { code: big, kind: "fixed", value: 100, min_subtotal: 1_000_000 },
    ]) {
      const res = await call("POST", "/coupons", { token: admin.access_token, body });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const buyer = await signup();
    expect(
      (
        await call("POST", "/coupons", {
          token: buyer.access_token,
          body: { code: "NOPE123", kind: "fixed", value: 1 },
        })
      ).status,
    ).toBe(403);
    const sellerCoupon = await json(
      await call("POST", "/coupons", {
        token: seller.access_token,
        body: { code: `S${unique()}`.slice(0, 30), kind: "fixed", value: 5 },
      }),
    );
    expect(sellerCoupon.seller_id).toBe(seller.user.user_id);

    await addToCart(buyer, product.product_id, 2);
    const applied = await call("POST", "/cart/coupon", {
      token: buyer.access_token,
      body: { code: pct.toLowerCase() },
    });
    expect(applied.status).toBe(200);
    expect(await json(applied)).toMatchObject({
      subtotal: 10000,
      discount: 1000,
      total: 9000,
      coupon: { code: pct, amount: 1000 },
    });
    expect(
      (await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code: "NO-SUCH-CODE" } })).status,
    ).toBe(404);
    const stacked = await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code: fixed } });
    expect(stacked.status).toBe(409);
    expect((await json(stacked)).error.code).toBe("coupon_not_applicable");
    expect((await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code: big } })).status).toBe(409);
  });

  it("redeems a 10-use coupon exactly 10 times under 30 concurrent checkouts", async () => {
    const { product } = await setup(100, 1000);
    const admin = await adminUser();
    const code = `RACE${unique()}`.slice(0, 30).toUpperCase();
    await call("POST", "/coupons", {
      token: admin.access_token,
      body: { code, kind: "fixed", value: 100, usage_limit: 10 },
    });
    const buyers = await Promise.all(Array.from({ length: 30 }, () => signup()));
    for (const b of buyers) {
      await addToCart(b, product.product_id, 1);
      expect((await call("POST", "/cart/coupon", { token: b.access_token, body: { code } })).status).toBe(200);
    }
    const results = await Promise.all(buyers.map((b) => checkout(b)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    const row = await env.DB.prepare("SELECT times_redeemed FROM coupons WHERE code = ?")
      .bind(code)
      .first<{ times_redeemed: number }>();
    expect(row?.times_redeemed).toBe(10);
    // Losers hold nothing: 10 units sold.
    expect(await stockOf(product.product_id)).toBe(90);
  });
});

describe("checkout", () => {
  it("pays, takes the stock, empties the cart, and lists the order", async () => {
    const { product, seller } = await setup(10, 2500);
    const buyer = await signup();
    await addToCart(buyer, product.product_id, 3);
    const res = await checkout(buyer);
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({
      user_id: buyer.user.user_id,
      status: "paid",
      subtotal: 7500,
      discount: 0,
      total_amount: 7500,
      currency: "usd",
      shipping_address: address,
      tracking_number: null,
    });
    expect(order.order_id).toMatch(/^ord_/);
    expect(order.items[0]).toMatchObject({
      product_id: product.product_id,
      seller_id: seller.user.user_id,
      quantity: 3,
      price: 2500,
    });
    expect(order.payment).toMatchObject({ status: "succeeded", amount: 7500 });
    expect(await stockOf(product.product_id)).toBe(7);
    expect((await json(await call("GET", "/cart", { token: buyer.access_token }))).items).toHaveLength(0);
    const list = await json(await call("GET", "/orders", { token: buyer.access_token }));
    expect(list.data[0].order_id).toBe(order.order_id);
    expect((await call("GET", `/orders/${order.order_id}`, { token: seller.access_token })).status).toBe(200);
    const stranger = await signup();
    expect((await call("GET", `/orders/${order.order_id}`, { token: stranger.access_token })).status).toBe(404);
    expect((await call("GET", `/orders/${order.order_id}`)).status).toBe(401);
    // Nothing left in the cart.
    const again = await checkout(buyer);
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("cart_empty");
    expect(
      (await call("POST", "/orders", { body: { payment_method: "pm_card_visa", shipping_address: address } })).status,
    ).toBe(401);
  });

  it("replays the same Idempotency-Key: the same order, one charge; another body is a 409", async () => {
    const { product } = await setup(10);
    const buyer = await signup();
    await addToCart(buyer, product.product_id, 1);
    const key = `checkout-${unique()}`;
    const [a, b] = [
      await checkout(buyer, {}, { "Idempotency-Key": key }),
      await checkout(buyer, {}, { "Idempotency-Key": key }),
    ];
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    const [oa, ob] = [await json(a), await json(b)];
    expect(ob.order_id).toBe(oa.order_id);
    const payments = await onOrderShard(env, oa.order_id)
      .DB.prepare("SELECT COUNT(*) AS n FROM payments WHERE order_id = ?")
      .bind(oa.order_id)
      .first<{ n: number }>();
    expect(payments?.n).toBe(1);
    expect(await stockOf(product.product_id)).toBe(9);
    const other = await checkout(buyer, { use_wallet: true }, { "Idempotency-Key": key });
    expect(other.status).toBe(409);
    expect((await json(other)).error.code).toBe("idempotency_key_reused");
  });

  it("a declined card holds no stock (402); the order can be paid later with POST /payments/pay", async () => {
    const { product } = await setup(4);
    const buyer = await signup();
    await addToCart(buyer, product.product_id, 2);
    const res = await checkout(buyer, { payment_method: "pm_card_chargeDeclined" });
    expect(res.status).toBe(402);
    expect((await json(res)).error.code).toBe("payment_declined");
    expect(await stockOf(product.product_id)).toBe(4);
    const [pending] = (await json(await call("GET", "/orders", { token: buyer.access_token }))).data;
    expect(pending.status).toBe("pending_payment");

    const stranger = await signup();
    expect(
      (
        await call("POST", "/payments/pay", {
          token: stranger.access_token,
          body: { order_id: pending.order_id, payment_method: "pm_card_visa" },
        })
      ).status,
    ).toBe(404);
    const declinedAgain = await call("POST", "/payments/pay", {
      token: buyer.access_token,
      body: { order_id: pending.order_id, payment_method: "pm_card_chargeDeclined" },
    });
    expect(declinedAgain.status).toBe(402);
    expect(await stockOf(product.product_id)).toBe(4);
    const paid = await call("POST", "/payments/pay", {
      token: buyer.access_token,
      body: { order_id: pending.order_id, payment_method: "pm_card_visa" },
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    expect(await json(paid)).toMatchObject({ status: "succeeded", amount: 5000, order_id: pending.order_id });
    expect((await json(await call("GET", `/orders/${pending.order_id}`, { token: buyer.access_token }))).status).toBe(
      "paid",
    );
    expect(await stockOf(product.product_id)).toBe(2);
    const twice = await call("POST", "/payments/pay", {
      token: buyer.access_token,
      body: { order_id: pending.order_id, payment_method: "pm_card_visa" },
    });
    expect(twice.status).toBe(409);
  });

  it("3-D Secure: pending_payment with a client secret, completed by POST /payments/pay", async () => {
    const { product } = await setup(4);
    const buyer = await signup();
    await addToCart(buyer, product.product_id, 1);
    const res = await checkout(buyer, { payment_method: "pm_card_authenticationRequired" });
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order.status).toBe("pending_payment");
    expect(order.payment).toMatchObject({ status: "requires_action" });
    expect(order.payment.client_secret).toBeTruthy();
    expect(await stockOf(product.product_id)).toBe(3); // held while the buyer authenticates
    const paid = await call("POST", "/payments/pay", {
      token: buyer.access_token,
      body: { order_id: order.order_id, payment_method: "pm_card_visa" },
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "paid",
    );
    expect(await stockOf(product.product_id)).toBe(3);
  });

  it("30 buyers racing for 5 units: exactly 5 paid orders, 25 out_of_stock, stock 0, no 5xx", async () => {
    const { product } = await setup(5);
    const buyers = await Promise.all(Array.from({ length: 30 }, () => signup()));
    for (const b of buyers) await addToCart(b, product.product_id, 1);
    const results = await Promise.all(buyers.map((b) => checkout(b)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(25);
    for (const r of results.filter((r) => r.status === 409)) expect((await json(r)).error.code).toBe("out_of_stock");
    expect(await stockOf(product.product_id)).toBe(0);
    // Orders are spread over the order databases (ORDER_SHARDS=2 in tests): counted in each.
    let paid = 0;
    for (const e of eachOrderShard(env))
      paid += (await e.DB.prepare("SELECT COUNT(*) AS n FROM order_items WHERE product_id = ? AND status = 'paid'")
        .bind(product.product_id)
        .first<{ n: number }>())!.n;
    expect(paid).toBe(5);
  });

  it("rejects bad bodies with 400 and names the fields", async () => {
    const buyer = await signup();
    for (const body of [
      { shipping_address: address },
      { payment_method: "4242424242424242", shipping_address: address },
      { payment_method: "pm_card_visa" },
      { payment_method: "pm_card_visa", shipping_address: address, total_amount: 1 },
    ]) {
      const res = await call("POST", "/orders", { token: buyer.access_token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details.length).toBeGreaterThan(0);
    }
  });
});

describe("fulfilment and refunds", () => {
  async function paidOrder(qty = 2, price = 2500) {
    const s = await setup(10, price);
    const buyer = await signup();
    await addToCart(buyer, s.product.product_id, qty);
    const order = await json(await checkout(buyer));
    return { ...s, buyer, order };
  }

  it("seller ships with tracking and delivers; illegal moves are 409; buyers and strangers cannot move it", async () => {
    const { seller, buyer, order } = await paidOrder();
    const path = `/orders/${order.order_id}/status`;
    expect((await call("POST", path, { token: seller.access_token, body: { status: "shipped" } })).status).toBe(400);
    expect(
      (await call("POST", path, { token: buyer.access_token, body: { status: "shipped", tracking_number: "X" } }))
        .status,
    ).toBe(403);
    const stranger = await signup({ role: "seller" });
    expect(
      (await call("POST", path, { token: stranger.access_token, body: { status: "shipped", tracking_number: "X" } }))
        .status,
    ).toBe(404);
    expect((await call("POST", path, { token: seller.access_token, body: { status: "delivered" } })).status).toBe(409);
    const shipped = await call("POST", path, {
      token: seller.access_token,
      body: { status: "shipped", tracking_number: "1Z999" },
    });
    expect(await json(shipped)).toMatchObject({ status: "shipped", tracking_number: "1Z999" });
    expect(
      (await call("POST", path, { token: seller.access_token, body: { status: "shipped", tracking_number: "1Z999" } }))
        .status,
    ).toBe(409);
    expect((await call("POST", path, { token: buyer.access_token, body: { status: "cancelled" } })).status).toBe(409);
    const delivered = await call("POST", path, { token: seller.access_token, body: { status: "delivered" } });
    expect((await json(delivered)).status).toBe("delivered");
    expect((await call("POST", path, { token: seller.access_token, body: { status: "bogus" } })).status).toBe(400);
  });

  it("the buyer cancels a paid order before shipping: refunded in full and restocked", async () => {
    const { buyer, order, product } = await paidOrder(2);
    expect(await stockOf(product.product_id)).toBe(8);
    const res = await call("POST", `/orders/${order.order_id}/status`, {
      token: buyer.access_token,
      body: { status: "cancelled" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json(res)).status).toBe("cancelled");
    expect(await stockOf(product.product_id)).toBe(10);
    const refunds = await json(await call("GET", "/payments/refunds", { token: buyer.access_token }));
    expect(refunds.data[0]).toMatchObject({ order_id: order.order_id, amount: 5000 });
  });

  it("refunds: a buyer's opens a return, partial then the rest, never more than paid, even with 20 concurrent requests", async () => {
    const { seller, buyer, order, product } = await paidOrder(2, 2500);
    const path = `/orders/${order.order_id}/status`;
    await call("POST", path, { token: seller.access_token, body: { status: "shipped", tracking_number: "T1" } });
    // On its way: the buyer waits for delivery.
    expect(
      (
        await call("POST", "/payments/refunds", {
          token: buyer.access_token,
          body: { order_id: order.order_id, reason: "changed my mind" },
        })
      ).status,
    ).toBe(409);
    await call("POST", path, { token: seller.access_token, body: { status: "delivered" } });

    // The buyer's refund of a delivered order is a return: pending, no money moved yet (returns.test.ts runs it to the end).
    const asked = await call("POST", "/payments/refunds", {
      token: buyer.access_token,
      body: { order_id: order.order_id, amount: 1000, reason: "scratched" },
    });
    expect(asked.status, await asked.clone().text()).toBe(201);
    expect(await json(asked)).toMatchObject({
      amount: 1000,
      order_id: order.order_id,
      status: "pending",
      return_id: expect.stringMatching(/^ret_/),
    });
    expect(
      (await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).refunded_amount,
    ).toBe(0);

    const admin = await adminUser();
    const part = await call("POST", "/payments/refunds", {
      token: admin.access_token,
      body: { order_id: order.order_id, amount: 1000, reason: "goodwill" },
    });
    expect(await json(part)).toMatchObject({ amount: 1000, status: "succeeded" });
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "partially_refunded",
    );
    expect(
      (
        await call("POST", "/payments/refunds", {
          token: admin.access_token,
          body: { order_id: order.order_id, amount: 4001, reason: "x" },
        })
      ).status,
    ).toBe(409);
    const stranger = await signup();
    expect(
      (
        await call("POST", "/payments/refunds", {
          token: stranger.access_token,
          body: { order_id: order.order_id, reason: "x" },
        })
      ).status,
    ).toBe(404);

    const racers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", "/payments/refunds", {
          token: admin.access_token,
          body: { order_id: order.order_id, amount: 1000, reason: "race" },
        }),
      ),
    );
    expect(racers.filter((r) => r.status === 201)).toHaveLength(4);
    expect(racers.filter((r) => r.status >= 500)).toHaveLength(0);
    const final = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(final).toMatchObject({ status: "refunded", refunded_amount: 5000 });
    const sum = await onOrderShard(env, order.order_id)
      .DB.prepare("SELECT SUM(amount) AS s FROM refunds WHERE order_id = ? AND status = 'succeeded'")
      .bind(order.order_id)
      .first<{ s: number }>();
    expect(sum?.s).toBe(5000);
    expect(await stockOf(product.product_id)).toBe(10); // a full refund restocks
    const mine = await json(await call("GET", "/payments/refunds", { token: buyer.access_token }));
    expect(mine.data).toHaveLength(6); // the pending one and five paid
    expect((await json(await call("GET", "/payments/refunds", { token: stranger.access_token }))).data).toHaveLength(0);
  });

  it("a multi-seller order: each seller sees and ships only their items", async () => {
    const a = await setup(5, 1000);
    const b = await setup(5, 2000);
    const buyer = await signup();
    await addToCart(buyer, a.product.product_id, 1);
    await addToCart(buyer, b.product.product_id, 1);
    const order = await json(await checkout(buyer));
    expect(order.items).toHaveLength(2);
    const seenByA = await json(await call("GET", `/orders/${order.order_id}`, { token: a.seller.access_token }));
    expect(seenByA.items.map((i: any) => i.seller_id)).toEqual([a.seller.user.user_id]);
    const sellerList = await json(await call("GET", "/seller/orders", { token: a.seller.access_token }));
    expect(sellerList.data[0].items).toHaveLength(1);
    const path = `/orders/${order.order_id}/status`;
    const partly = await json(
      await call("POST", path, { token: a.seller.access_token, body: { status: "shipped", tracking_number: "A1" } }),
    );
    expect(partly.status).toBe("paid");
    const all = await json(
      await call("POST", path, { token: b.seller.access_token, body: { status: "shipped", tracking_number: "B1" } }),
    );
    expect(all.status).toBe("shipped");
  });
});

describe("wallet", () => {
  it("saves payment methods encrypted and masked, scoped to their owner; store credit pays first", async () => {
    const { product } = await setup(5, 3000);
    const buyer = await signup();
    const saved = await call("POST", "/wallet/payment-methods", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", label: "Visa" },
    });
    expect(saved.status).toBe(201);
    const method = await json(saved);
    expect(method.display).not.toContain("card_visa");
    const row = await env.DB.prepare("SELECT encrypted_ref FROM wallet_methods WHERE id = ?")
      .bind(method.payment_method_id)
      .first<{ encrypted_ref: string }>();
    expect(row?.encrypted_ref).not.toContain("pm_card_visa");
    expect(
      (
        await call("POST", "/wallet/payment-methods", {
          token: buyer.access_token,
          body: { payment_method: "4242424242424242" },
        })
      ).status,
    ).toBe(400);

    const thief = await signup();
    expect(
      (await call("DELETE", `/wallet/payment-methods/${method.payment_method_id}`, { token: thief.access_token }))
        .status,
    ).toBe(404);
    await addToCart(thief, product.product_id, 1);
    expect(
      (await checkout(thief, { payment_method: undefined, payment_method_id: method.payment_method_id })).status,
    ).toBe(404);

    const admin = await adminUser();
    const credit = await call("POST", "/wallet/credits", {
      token: admin.access_token,
      body: { user_id: buyer.user.user_id, amount: 1000, reason: "goodwill" },
    });
    expect(await json(credit)).toMatchObject({ balance: 1000 });
    expect(
      (
        await call("POST", "/wallet/credits", {
          token: buyer.access_token,
          body: { user_id: buyer.user.user_id, amount: 1000, reason: "x" },
        })
      ).status,
    ).toBe(403);

    await addToCart(buyer, product.product_id, 1);
    const res = await checkout(buyer, {
      payment_method: undefined,
      payment_method_id: method.payment_method_id,
      use_wallet: true,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await json(res)).toMatchObject({
      status: "paid",
      total_amount: 3000,
      wallet_amount: 1000,
      payment: { amount: 2000 },
    });
    const wallet = await json(await call("GET", "/wallet", { token: buyer.access_token }));
    expect(wallet.balance).toBe(0);
    expect(wallet.payment_methods).toHaveLength(1);
    const entries = await json(await call("GET", "/wallet/entries", { token: buyer.access_token }));
    expect(entries.data.map((e: any) => e.amount)).toEqual([-1000, 1000]);
  });
});

describe("unpaid order sweep", () => {
  it("cancels orders left unpaid past a day and gives their coupon use back", async () => {
    const { sweepUnpaidOrders, UNPAID_ORDER_TTL_MS } = await import("../src/services/fulfilment");
    const { product } = await setup(5, 1000);
    const admin = await adminUser();
    const code = `SWEEP${unique()}`.slice(0, 30).toUpperCase();
    await call("POST", "/coupons", {
      token: admin.access_token,
      body: { code, kind: "fixed", value: 100, usage_limit: 1 },
    });
    const buyer = await signup();
    await addToCart(buyer, product.product_id, 1);
    await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code } });
    // Awaiting 3-D Secure: the order keeps its coupon use (a declined one would have given it back at once).
    expect((await checkout(buyer, { payment_method: "pm_card_authenticationRequired" })).status).toBe(201);
    const [order] = (await json(await call("GET", "/orders", { token: buyer.access_token }))).data;
    expect(order.status).toBe("pending_payment");
    expect(
      (
        await env.DB.prepare("SELECT times_redeemed FROM coupons WHERE code = ?")
          .bind(code)
          .first<{ times_redeemed: number }>()
      )?.times_redeemed,
    ).toBe(1);
    expect(await sweepUnpaidOrders(env, Date.now() + UNPAID_ORDER_TTL_MS + 60_000)).toBeGreaterThanOrEqual(1);
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "cancelled",
    );
    expect(
      (
        await env.DB.prepare("SELECT times_redeemed FROM coupons WHERE code = ?")
          .bind(code)
          .first<{ times_redeemed: number }>()
      )?.times_redeemed,
    ).toBe(0);
    expect(await stockOf(product.product_id)).toBe(5);
  });
});

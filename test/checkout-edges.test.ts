import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eachOrderShard } from "../src/db/shards";
import { isStalePricing, pricingGuardStatements } from "../src/services/catalog/pricing-guard";
import { interposeAtCheckoutSteps } from "../src/services/checkout";
import { releaseAll } from "../src/services/inventory";
import { overridePaymentProvider } from "../src/services/payments";
import {
  adminUser,
  call,
  callWithVars,
  createCategory,
  createProduct,
  json,
  recordRefunds,
  signup,
  unique,
} from "./helpers";

const address = { name: "Edge Buyer", line1: "1 Edge St", city: "Austin", postal_code: "73301", country: "US" };

describe("checkout at the edges", () => {
  it("a 50-line cart checks out within D1's 100 bound values per statement, and its seller ships all 50", async () => {
    const cat = await createCategory(`Edge ${unique()}`);
    const seller = await signup({ role: "seller" });
    const products = [];
    for (let i = 0; i < 50; i++)
      products.push(await createProduct(seller, cat.category_id, { stock_available: 3, price: 100 + i }));
    const buyer = await signup();
    for (const p of products)
      expect(
        (
          await call("POST", "/cart/add", {
            token: buyer.access_token,
            body: { product_id: p.product_id, quantity: 2 },
          })
        ).status,
      ).toBe(200);
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const order = await json(res);
    expect(order.status).toBe("paid");
    expect(order.items).toHaveLength(50);
    expect(order.total_amount).toBe(products.reduce((s, p) => s + 2 * p.price, 0));
    for (const p of [products[0], products[49]])
      expect(
        (await json(await call("GET", `/inventory/${p.product_id}`, { token: seller.access_token }))).stock_available,
      ).toBe(1);
    // Every item moves with the order.
    const shipped = await call("POST", `/orders/${order.order_id}/status`, {
      token: seller.access_token,
      body: { status: "shipped", tracking_number: "1Z999" },
    });
    expect(shipped.status, await shipped.clone().text()).toBe(200);
    const after = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(after.status).toBe("shipped");
    expect(after.items.every((i: { status: string }) => i.status === "shipped")).toBe(true);
    // The buyer's and the seller's lists find it.
    expect(
      (await json(await call("GET", "/orders", { token: buyer.access_token }))).data.map(
        (o: { order_id: string }) => o.order_id,
      ),
    ).toContain(order.order_id);
    expect(
      (await json(await call("GET", "/seller/orders", { token: seller.access_token }))).data.map(
        (o: { order_id: string }) => o.order_id,
      ),
    ).toContain(order.order_id);
  });

  it("an order is never written at a price that changed since this isolate cached it: the order's batch checks each product's version", async () => {
    const cat = await createCategory(`Edge ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, { stock_available: 50, price: 1000 });
    const checkout = async (price: number) => {
      const buyer = await signup();
      await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
      const res = await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: address },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const order = await json(res);
      expect(order.subtotal).toBe(price);
      expect(order.items[0].price).toBe(price);
    };
    await checkout(1000); // this isolate now holds the product's pricing row
    // Another isolate's seller edits (D1 written directly, so this isolate's cache is not told):
    // each next order charges the new price, whichever database it lands in.
    for (let i = 1; i <= 6; i++) {
      await env.DB.prepare("UPDATE products SET price = ?, version = version + 1 WHERE id = ?")
        .bind(1000 + i * 10, p.product_id)
        .run();
      await checkout(1000 + i * 10);
    }
    // The attempts that found the price changed gave their holds back: 7 sold, none held.
    const stock = await json(await call("GET", `/inventory/${p.product_id}`, { token: seller.access_token }));
    expect(stock).toMatchObject({ stock_available: 43, reserved: 0 });
  });

  it("a product that changes between the checkout's price read and its order write is refused with price_changed, holding and charging nothing", async () => {
    const cat = await createCategory(`Edge ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, { stock_available: 10, price: 1000 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 2 } });
    // One order database, so the guard is in the order's transaction whatever the order's id.
    const checkout = () =>
      callWithVars({ ORDER_SHARDS: "1" } as Partial<Env>, "POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: address },
      });
    // Another writer changes the price as each attempt is about to write its order: the cached
    // attempt and the fresh one both find it moved.
    interposeAtCheckoutSteps(async (step) => {
      if (step === "write-order")
        await env.DB.prepare("UPDATE products SET price = price + 1, version = version + 1 WHERE id = ?")
          .bind(p.product_id)
          .run();
    });
    try {
      const res = await checkout();
      expect(res.status, await res.clone().text()).toBe(409);
      expect((await json(res)).error.code).toBe("price_changed");
    } finally {
      interposeAtCheckoutSteps(null);
    }
    // Nothing held, no order, and the cart is free for the next try, which pays the price as it is now.
    const stock = await json(await call("GET", `/inventory/${p.product_id}`, { token: seller.access_token }));
    expect(stock).toMatchObject({ stock_available: 10, reserved: 0 });
    expect((await json(await call("GET", "/orders", { token: buyer.access_token }))).data).toHaveLength(0);
    const again = await checkout();
    expect(again.status, await again.clone().text()).toBe(201);
    expect((await json(again)).subtotal).toBe(2 * 1002);
  });

  it("a pricing guard fails the whole batch when a product's version moved, and passes when it did not", async () => {
    const cat = await createCategory(`Edge ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, { price: 500 });
    const row = (await env.DB.prepare("SELECT id, version FROM products WHERE id = ?")
      .bind(p.product_id)
      .first<{ id: string; version: number }>())!;
    const marker = unique("guard");
    const write = env.DB.prepare("INSERT INTO categories (id, name, path, depth) VALUES (?1, ?1, ?1, 0)").bind(marker);
    const stale = await env.DB.batch([
      ...pricingGuardStatements(env.DB, [{ id: row.id, version: row.version - 1 }]),
      write,
    ]).catch((e: unknown) => e);
    expect(isStalePricing(stale)).toBe(true);
    expect(await env.DB.prepare("SELECT 1 FROM categories WHERE id = ?").bind(marker).first()).toBeNull();
    // A deleted product is as changed as an edited one.
    expect(
      isStalePricing(
        await env.DB.batch(pricingGuardStatements(env.DB, [{ id: "prd_gone", version: 1 }])).catch((e: unknown) => e),
      ),
    ).toBe(true);
    await env.DB.batch([...pricingGuardStatements(env.DB, [row]), write]);
    expect(await env.DB.prepare("SELECT 1 FROM categories WHERE id = ?").bind(marker).first()).not.toBeNull();
    expect(isStalePricing(new Error("D1_ERROR: UNIQUE constraint failed"))).toBe(false);
  });

  it("a payment that completes after the stock is gone is refunded, and the order's coupon use comes back", async () => {
    const refunds = recordRefunds();
    try {
      const cat = await createCategory(`Late ${unique()}`);
      const seller = await signup({ role: "seller" });
      const product = await createProduct(seller, cat.category_id, { stock_available: 1, price: 5000 });
      const admin = await adminUser();
      const code = `LATE${unique()}`.slice(0, 30).toUpperCase();
      expect(
        (
          await call("POST", "/coupons", {
            token: admin.access_token,
            body: { code, kind: "fixed", value: 500, usage_limit: 1 },
          })
        ).status,
      ).toBe(201);
      const buyer = await signup();
      await call("POST", "/cart/add", {
        token: buyer.access_token,
        body: { product_id: product.product_id, quantity: 1 },
      });
      expect((await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code } })).status).toBe(200);
      // 3-D Secure: the order waits for the buyer, its unit held and its coupon use taken.
      const pending = await json(
        await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_authenticationRequired", shipping_address: address },
        }),
      );
      expect(pending.status).toBe("pending_payment");
      const coupon = () =>
        env.DB.prepare("SELECT times_redeemed FROM coupons WHERE code = ?")
          .bind(code)
          .first<{ times_redeemed: number }>();
      expect((await coupon())!.times_redeemed).toBe(1);
      // The hold lapses while the buyer authenticates, and someone else buys the last unit.
      await releaseAll(env, pending.order_id, [product.product_id]);
      const other = await signup();
      await call("POST", "/cart/add", {
        token: other.access_token,
        body: { product_id: product.product_id, quantity: 1 },
      });
      expect(
        (
          await call("POST", "/orders", {
            token: other.access_token,
            body: { payment_method: "pm_card_visa", shipping_address: address },
          })
        ).status,
      ).toBe(201);
      // The buyer's payment now completes: nothing to sell, so the money and the coupon use go back.
      const paid = await call("POST", "/payments/pay", {
        token: buyer.access_token,
        body: { order_id: pending.order_id, payment_method: "pm_card_visa" },
      });
      expect(paid.status).toBe(409);
      expect((await json(paid)).error.code).toBe("out_of_stock");
      expect(refunds).toHaveLength(1);
      expect((await json(await call("GET", `/orders/${pending.order_id}`, { token: buyer.access_token }))).status).toBe(
        "cancelled",
      );
      expect((await coupon())!.times_redeemed).toBe(0);
      let uses = 0;
      for (const e of eachOrderShard(env))
        uses += (await e.DB.prepare("SELECT COUNT(*) AS n FROM coupon_redemptions WHERE order_id = ?")
          .bind(pending.order_id)
          .first<{ n: number }>())!.n;
      expect(uses).toBe(0);
      expect(
        (await json(await call("GET", `/inventory/${product.product_id}`, { token: seller.access_token })))
          .stock_available,
      ).toBe(0);
    } finally {
      overridePaymentProvider(null);
    }
  });
});

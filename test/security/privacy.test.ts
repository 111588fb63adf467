import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { overridePaymentProvider } from "../../src/services/payments";
import { TestPaymentProvider } from "../../src/services/payments/test-provider";
import { adminUser, call, createCategory, createProduct, json, signup, unique } from "../helpers";

const address = {
  name: "Grace Hopper",
  line1: "7 Private Lane",
  city: "Arlington",
  postal_code: "22201",
  country: "US",
};
let categoryId: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Privacy"))).category_id;
});

/** A buyer with an order, a delivered purchase reviewed, a wishlist entry and a saved card. */
async function activeBuyer() {
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, categoryId, { price: 1200, stock_available: 5 });
  const buyer = await signup({ phone_number: "+14155550123" });
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const order = await json(
    await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
      headers: { "idempotency-key": unique("k") },
    }),
  );
  await call("POST", `/orders/${order.order_id}/status`, {
    token: seller.access_token,
    body: { status: "shipped", tracking_number: "1ZP" },
  });
  await call("POST", `/orders/${order.order_id}/status`, { token: seller.access_token, body: { status: "delivered" } });
  expect(
    (
      await call("POST", "/reviews", {
        token: buyer.access_token,
        body: { product_id: product.product_id, rating: 4, comment: "Solid" },
      })
    ).status,
  ).toBe(201);
  expect(
    (await call("POST", "/wishlist", { token: buyer.access_token, body: { product_id: product.product_id } })).status,
  ).toBe(201);
  expect(
    (
      await call("POST", "/wallet/payment-methods", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa" },
      })
    ).status,
  ).toBe(201);
  return { seller, product, buyer, order };
}

describe("personal data export", () => {
  it("gives the user everything held about them as JSON, and nobody else", async () => {
    const { buyer, order, product } = await activeBuyer();
    const res = await call("GET", `/users/${buyer.user.user_id}/export`, { token: buyer.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const data = await json(res);
    expect(data.profile.email).toBe(buyer.user.email);
    expect(data.orders.map((o: any) => o.order_id)).toContain(order.order_id);
    expect(data.addresses).toContainEqual(address);
    expect(data.reviews.map((r: any) => r.product_id)).toContain(product.product_id);
    expect(data.wishlist.map((w: any) => w.product_id)).toContain(product.product_id);
    expect(data.wallet.payment_methods).toHaveLength(1);
    expect(data.preferences).toBeDefined();
    expect(JSON.stringify(data)).not.toMatch(/scrypt\$|encrypted_ref|pm_card_visa"/);
    const stranger = await signup();
    expect((await call("GET", `/users/${buyer.user.user_id}/export`, { token: stranger.access_token })).status).toBe(
      404,
    );
  });
});

describe("account erasure", () => {
  it("needs the password, then scrubs every domain, keeps the order for accounting and detaches saved cards", async () => {
    const detached: string[] = [];
    overridePaymentProvider(
      new (class extends TestPaymentProvider {
        override async detach(ref: string) {
          detached.push(ref);
        }
      })(),
    );
    try {
      const { buyer, order, product, seller } = await activeBuyer();
      const id = buyer.user.user_id;
      expect((await call("POST", `/users/${id}/erase`, { token: buyer.access_token, body: {} })).status).toBe(401);
      expect(
        (await call("POST", `/users/${id}/erase`, { token: buyer.access_token, body: { password: "wrong-one-1" } }))
          .status,
      ).toBe(401);
      const res = await call("POST", `/users/${id}/erase`, {
        token: buyer.access_token,
        body: { password: buyer.password },
      });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ erased: true, payment_methods_detached: 1, reviews_removed: 1 });
      expect(detached).toEqual(["pm_card_visa"]);

      // Sessions end; the old address and password no longer sign in; the address may sign up afresh.
      expect((await call("POST", "/auth/refresh", { body: { refresh_token: buyer.refresh_token } })).status).toBe(401);
      expect(
        (await call("POST", "/auth/login", { body: { email: buyer.user.email, password: buyer.password } })).status,
      ).toBe(401);
      // The profile holds nothing personal.
      const admin = await adminUser();
      const profile = await json(await call("GET", `/users/${id}`, { token: admin.access_token }));
      expect(profile.email).not.toBe(buyer.user.email);
      expect(profile.phone_number).toBeNull();
      expect(profile.username).not.toBe(buyer.user.username);
      // The order stays, for the seller's accounting, without the address.
      const kept = await json(await call("GET", `/orders/${order.order_id}`, { token: seller.access_token }));
      expect(kept.total_amount).toBe(1200);
      expect(JSON.stringify(kept)).not.toContain("Private Lane");
      // Reviews and the rating follow; the warehouse no longer knows the buyer.
      expect((await json(await call("GET", `/products/${product.product_id}`))).rating_count).toBe(0);
      const facts = await env.WAREHOUSE.prepare("SELECT COUNT(*) AS n FROM fact_order_items WHERE user_id = ?")
        .bind(id)
        .first<{ n: number }>();
      expect(facts!.n).toBe(0);
      expect(
        (
          await call("POST", "/auth/signup", {
            body: { email: buyer.user.email, username: unique(), password: "password123" },
          })
        ).status,
      ).toBe(201);
    } finally {
      overridePaymentProvider(null);
    }
  });

  it("lets an admin erase an account without its password, and audits it; a stranger gets 404", async () => {
    const admin = await adminUser();
    const victim = await signup();
    const stranger = await signup();
    expect(
      (
        await call("POST", `/users/${victim.user.user_id}/erase`, {
          token: stranger.access_token,
          body: { password: victim.password },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call("POST", `/users/${victim.user.user_id}/erase`, { token: admin.access_token, body: {} })).status,
    ).toBe(200);
    const log = await json(await call("GET", "/admin/audit-log?limit=100", { token: admin.access_token }));
    expect(log.data.some((e: any) => e.action === "user.erased" && e.target_id === victim.user.user_id)).toBe(true);
  });
});

describe("audit log", () => {
  it("records an admin's refund without a return", async () => {
    const admin = await adminUser();
    const { order } = await activeBuyer();
    const res = await call("POST", "/payments/refunds", {
      token: admin.access_token,
      body: { order_id: order.order_id, amount: 100, reason: "goodwill" },
      headers: { "idempotency-key": unique("r") },
    });
    expect(res.status).toBe(201);
    const log = await json(await call("GET", "/admin/audit-log?limit=100", { token: admin.access_token }));
    expect(log.data.find((e: any) => e.action === "refund.issued" && e.target_id === order.order_id)).toMatchObject({
      actor_id: admin.user.user_id,
      details: { amount: 100, reason: "goodwill" },
    });
  });
});
vi.setConfig({ testTimeout: 30_000 });

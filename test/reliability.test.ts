import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { eachOrderShard } from "../src/db/shards";
import { injectCheckoutFault } from "../src/services/checkout";
import { overridePaymentProvider } from "../src/services/payments";
import { getStock } from "../src/services/inventory";
import { adminUser, call, createCategory, createProduct, json, recordRefunds, signup, unique } from "./helpers";

/**
 * Fault injection at every checkout saga step, with the invariants checked after
 * each: no stock held, nothing charged that is not refunded, no coupon use or
 * store credit taken, no paid order, no 5xx other than a retryable 503.
 */
// What the suite prints at the end, from what ran: faults injected, invariant checks that held, tests that failed.
let faults = 0;
let checks = 0;
let violated = 0;
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    violated++;
  });
});
afterAll(() =>
  console.log(`reliability suite: ${faults} faults injected, ${checks} invariant checks held, ${violated} violated`),
);

afterEach(() => {
  injectCheckoutFault(null);
  overridePaymentProvider(null);
});

const STEPS = ["reserve", "write-order", "redeem-coupons", "wallet", "charge", "mark-paid"] as const;

async function world() {
  const cat = await createCategory(`Rel ${unique()}`);
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, cat.category_id, { stock_available: 5, price: 2000 });
  const admin = await adminUser();
  const code = `REL${unique()}`.slice(0, 30).toUpperCase();
  await call("POST", "/coupons", {
    token: admin.access_token,
    body: { code, kind: "fixed", value: 100, usage_limit: 5 },
  });
  const buyer = await signup();
  await call("POST", "/wallet/credits", {
    token: admin.access_token,
    body: { user_id: buyer.user.user_id, amount: 500, reason: "test" },
  });
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 2 } });
  await call("POST", "/cart/coupon", { token: buyer.access_token, body: { code } });
  return { product, buyer, code };
}

async function invariants(w: Awaited<ReturnType<typeof world>>) {
  expect(await getStock(env, w.product.product_id)).toMatchObject({ available: 5, reserved: 0 });
  // Every order database (orders are spread over two in tests).
  let paid = 0;
  for (const e of eachOrderShard(env))
    paid += (await e.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE user_id = ? AND status = 'paid'")
      .bind(w.buyer.user.user_id)
      .first<{ n: number }>())!.n;
  expect(paid).toBe(0);
  const coupon = await env.DB.prepare("SELECT times_redeemed FROM coupons WHERE code = ?")
    .bind(w.code)
    .first<{ times_redeemed: number }>();
  expect(coupon?.times_redeemed).toBe(0);
  expect((await json(await call("GET", "/wallet", { token: w.buyer.access_token }))).balance).toBe(500);
  // The cart is intact, so the buyer can simply try again.
  expect((await json(await call("GET", "/cart", { token: w.buyer.access_token }))).items).toHaveLength(1);
  // Stock held, paid orders, coupon uses, store credit, cart: each checked above.
  checks += 5;
}

describe("checkout under faults", () => {
  for (const step of STEPS) {
    it(`a failure at "${step}" leaves nothing held, charged or spent, and answers 503`, async () => {
      const w = await world();
      injectCheckoutFault(step);
      faults++;
      const res = await call("POST", "/orders", {
        token: w.buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: "x", use_wallet: true },
      });
      expect(res.status).toBe(503);
      expect((await json(res)).error.code).toBe("service_unavailable");
      await invariants(w);
      // And the retry succeeds.
      injectCheckoutFault(null);
      const retry = await call("POST", "/orders", {
        token: w.buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: "x", use_wallet: true },
      });
      expect(retry.status, await retry.clone().text()).toBe(201);
      expect(await getStock(env, w.product.product_id)).toMatchObject({ available: 3, reserved: 0 });
    });
  }

  it("a failure after the charge refunds it", async () => {
    const refunds = recordRefunds();
    const w = await world();
    injectCheckoutFault("mark-paid");
    faults++;
    expect(
      (
        await call("POST", "/orders", {
          token: w.buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: "x" },
        })
      ).status,
    ).toBe(503);
    expect(refunds).toHaveLength(1);
    checks++;
    await invariants(w);
  });

  it("a slow provider that times out holds nothing", async () => {
    overridePaymentProvider({
      name: "slow",
      charge: async () => {
        const { ProviderUnavailable } = await import("../src/services/payments/provider");
        await new Promise((r) => setTimeout(r, 200));
        throw new ProviderUnavailable("timed out");
      },
      confirm: async () => ({ status: "declined", ref: null, code: "x", message: "x" }),
      capture: async () => ({ status: "failed", code: "x", message: "x" }),
      retrieve: async () => ({ status: "declined", ref: null, code: "x", message: "x" }),
      saveMethod: async () => ({ status: "declined", code: "x", message: "x" }),
      release: async () => {},
      detach: async () => {},
      payout: async () => ({ ok: true }),
      refund: async () => ({ status: "succeeded", ref: "re_x" }),
    });
    faults++;
    const w = await world();
    const res = await call("POST", "/orders", {
      token: w.buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: "x", use_wallet: true },
    });
    expect(res.status).toBe(503);
    await invariants(w);
  });

  it("events whose queue send failed are relayed from the outbox", async () => {
    const { relayOutbox } = await import("../src/services/events");
    const w = await world();
    // The fault: every event's first send was lost (never marked dispatched).
    for (const e of eachOrderShard(env))
      await e.DB.prepare(
        "UPDATE outbox_events SET dispatched_at = NULL, created_at = '2000-01-01T00:00:00.000Z'",
      ).run();
    faults++;
    const sent: unknown[] = [];
    const events = {
      sendBatch: async (m: unknown[]) => void sent.push(...m),
      send: async () => undefined,
    } as unknown as Queue;
    const relayed = await relayOutbox(
      { DB: env.DB, ORDERS_DB_1: env.ORDERS_DB_1, ORDER_SHARDS: env.ORDER_SHARDS, EVENTS: events } as Pick<
        Env,
        "DB" | "EVENTS"
      >,
      0,
      1000,
    );
    expect(relayed).toBeGreaterThan(0);
    expect(sent.length).toBe(relayed);
    // Relayed from every database that holds outbox rows, none left behind.
    for (const e of eachOrderShard(env)) {
      expect(
        (await e.DB.prepare("SELECT COUNT(*) AS n FROM outbox_events WHERE dispatched_at IS NULL").first<{
          n: number;
        }>())!.n,
      ).toBe(0);
      checks++;
    }
    void w;
  });
});

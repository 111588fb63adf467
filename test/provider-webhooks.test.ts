import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it, vi } from "vitest";
import { retryParkedWebhookEvents } from "../src/services/checkout";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** Stripe's refund and dispute webhooks, replayed and out of order, each applied once (issue #21, part 4). */

const stripe = new Stripe("sk_unused", { httpClient: Stripe.createFetchHttpClient() });
const post = (path: string, token: string, body: unknown) =>
  call("POST", path, { token, body, headers: { "idempotency-key": unique("k") } });

async function deliver(id: string, type: string, object: Record<string, unknown>, ageSeconds = 0) {
  const payload = JSON.stringify({
    id,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000) - ageSeconds,
    data: { object },
  });
  const header = await stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: env.STRIPE_WEBHOOK_SECRET,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  const res = await call("POST", "/payments/webhooks/stripe", {
    raw: payload,
    headers: { "content-type": "application/json", "Stripe-Signature": header },
  });
  expect(res.status).toBe(200);
  return json(res);
}

/** Delivers the same event twice: the second is a duplicate. */
async function deliverTwice(type: string, object: Record<string, unknown>) {
  const id = `evt_${unique()}`;
  const first = await deliver(id, type, object);
  expect(await deliver(id, type, object)).toEqual({ received: true, duplicate: true });
  return first;
}

async function order(paymentMethod = "pm_card_visa") {
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, (await createCategory(unique("Hooks"))).category_id, {
    price: 5_000,
    stock_available: 5,
  });
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const placed = await json(
    await post("/orders", buyer.access_token, { payment_method: paymentMethod, shipping_address: "1 Main St" }),
  );
  return { seller, buyer, order: placed, pi: placed.payment.transaction_ref as string };
}

const ship = (o: { order: any; seller: TestUser }) =>
  post(`/orders/${o.order.order_id}/status`, o.seller.access_token, { status: "shipped", tracking_number: "1ZH" });
const ledgerOf = async (s: TestUser) =>
  (await json(await call("GET", "/seller/ledger", { token: s.access_token }))).data;
const refundsOf = async (b: TestUser) =>
  (await json(await call("GET", "/payments/refunds", { token: b.access_token }))).data;

describe("refunds made or failed at the provider", () => {
  it("charge.refunded from the dashboard: recorded once as a refund, the seller debited; replays change nothing", async () => {
    const o = await order();
    await ship(o);
    await vi.waitFor(async () => expect((await ledgerOf(o.seller)).some((e: any) => e.kind === "sale")).toBe(true), {
      timeout: 10_000,
      interval: 200,
    });
    const charge = {
      id: `ch_${unique()}`,
      object: "charge",
      payment_intent: o.pi,
      amount: 5_000,
      amount_refunded: 2_000,
    };
    expect(await deliverTwice("charge.refunded", charge)).toEqual({ received: true });
    // Another event with the same cumulative total (Stripe sends one per change): nothing more.
    expect(await deliver(`evt_${unique()}`, "charge.refunded", charge)).toEqual({ received: true, ignored: true });
    const refunds = await refundsOf(o.buyer);
    expect(refunds).toEqual([
      expect.objectContaining({ amount: 2_000, status: "succeeded", transaction_ref: charge.id }),
    ]);
    const after = await json(await call("GET", `/orders/${o.order.order_id}`, { token: o.buyer.access_token }));
    expect(after).toMatchObject({ status: "partially_refunded", refunded_amount: 2_000 });
    // The rest later: only the difference is new.
    expect(await deliver(`evt_${unique()}`, "charge.refunded", { ...charge, amount_refunded: 5_000 })).toEqual({
      received: true,
    });
    expect((await refundsOf(o.buyer)).map((r: any) => r.amount).sort()).toEqual([2_000, 3_000]);
    await vi.waitFor(
      async () => expect((await ledgerOf(o.seller)).filter((e: any) => e.kind === "refund")).toHaveLength(2),
      { timeout: 10_000, interval: 200 },
    );
  });

  it("a refund event before its payment settled is parked, then applied once by the cron", async () => {
    const o = await order("pm_card_authenticationRequired");
    expect(o.order.status).toBe("pending_payment");
    const charge = {
      id: `ch_${unique()}`,
      object: "charge",
      payment_intent: o.pi,
      amount: 5_000,
      amount_refunded: 1_000,
    };
    expect(await deliverTwice("charge.refunded", charge)).toEqual({ received: true, parked: true });
    // Not due yet, and still not applicable: nothing happens.
    expect(await retryParkedWebhookEvents(env, Date.now() + 60_000)).toBe(0);
    expect(await refundsOf(o.buyer)).toEqual([]);
    // The authorisation arrives; the parked refund applies at its next try, once.
    expect(
      await deliver(`evt_${unique()}`, "payment_intent.amount_capturable_updated", {
        id: o.pi,
        object: "payment_intent",
        capture_method: "manual",
      }),
    ).toEqual({ received: true });
    expect(await retryParkedWebhookEvents(env, Date.now() + 600_000)).toBe(1);
    expect(await retryParkedWebhookEvents(env, Date.now() + 7_200_000)).toBe(0);
    expect(await refundsOf(o.buyer)).toEqual([expect.objectContaining({ amount: 1_000, status: "succeeded" })]);
  });

  it("refund.failed: our refund is marked failed and its money comes back to the buyer as store credit, once", async () => {
    const o = await order();
    await ship(o);
    const admin = await adminUser();
    const issued = await json(
      await post("/payments/refunds", admin.access_token, {
        order_id: o.order.order_id,
        amount: 1_500,
        reason: "goodwill",
      }),
    );
    expect(issued).toMatchObject({ status: "succeeded", amount: 1_500 });
    const refund = {
      id: issued.transaction_ref,
      object: "refund",
      payment_intent: o.pi,
      amount: 1_500,
      status: "failed",
    };
    expect(await deliverTwice("refund.failed", refund)).toEqual({ received: true });
    expect(await deliver(`evt_${unique()}`, "refund.updated", refund)).toEqual({ received: true, ignored: true });
    expect((await refundsOf(o.buyer))[0]).toMatchObject({ refund_id: issued.refund_id, status: "failed" });
    const w = await json(await call("GET", "/wallet", { token: o.buyer.access_token }));
    expect(w.balance).toBe(1_500);
  });
});

describe("disputes", () => {
  it("a dispute debits the seller and freezes the amount; a won dispute gives it back; replays and reordering apply each once", async () => {
    const o = await order();
    await ship(o);
    await vi.waitFor(async () => expect((await ledgerOf(o.seller)).some((e: any) => e.kind === "sale")).toBe(true), {
      timeout: 10_000,
      interval: 200,
    });
    const dispute = {
      id: `dp_${unique()}`,
      object: "dispute",
      payment_intent: o.pi,
      amount: 5_000,
      currency: "usd",
      reason: "fraudulent",
    };
    // The close arrives first: parked until the opening has been applied.
    const closedId = `evt_${unique()}`;
    expect(await deliver(closedId, "charge.dispute.closed", { ...dispute, status: "won" })).toEqual({
      received: true,
      parked: true,
    });
    expect(await deliverTwice("charge.dispute.created", { ...dispute, status: "needs_response" })).toEqual({
      received: true,
    });
    const balance = async () => json(await call("GET", "/seller/balance", { token: o.seller.access_token }));
    await vi.waitFor(async () => expect((await balance()).available).toBe(-5_000), { timeout: 10_000, interval: 200 });
    expect((await ledgerOf(o.seller)).filter((e: any) => e.kind === "dispute").map((e: any) => e.amount)).toEqual([
      -5_000,
    ]);

    expect(await retryParkedWebhookEvents(env, Date.now() + 600_000)).toBe(1);
    await vi.waitFor(async () => expect((await balance()).available).toBe(0), { timeout: 10_000, interval: 200 });
    // The close again (Stripe's retry): nothing more.
    expect(await deliver(closedId, "charge.dispute.closed", { ...dispute, status: "won" })).toEqual({
      received: true,
      duplicate: true,
    });
    expect(await deliver(`evt_${unique()}`, "charge.dispute.closed", { ...dispute, status: "won" })).toEqual({
      received: true,
      ignored: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await ledgerOf(o.seller))
        .filter((e: any) => e.kind === "dispute")
        .map((e: any) => e.amount)
        .sort(),
    ).toEqual([-5_000, 5_000]);
  });

  it("a lost dispute leaves the seller debited and the money out through clearing", async () => {
    const o = await order();
    await ship(o);
    await vi.waitFor(async () => expect((await ledgerOf(o.seller)).some((e: any) => e.kind === "sale")).toBe(true), {
      timeout: 10_000,
      interval: 200,
    });
    const dispute = {
      id: `dp_${unique()}`,
      object: "dispute",
      payment_intent: o.pi,
      amount: 2_000,
      currency: "usd",
      reason: "product_not_received",
    };
    await deliver(`evt_${unique()}`, "charge.dispute.created", { ...dispute, status: "needs_response" });
    await deliver(`evt_${unique()}`, "charge.dispute.closed", { ...dispute, status: "lost" });
    const held = () =>
      env.DB.prepare(
        "SELECT COALESCE(SUM(amount), 0) AS n FROM ledger_entries WHERE account = 'platform:disputes' AND order_id = ?",
      )
        .bind(o.order.order_id)
        .first<{ n: number }>();
    await vi.waitFor(
      async () => {
        expect((await ledgerOf(o.seller)).filter((e: any) => e.kind === "dispute").map((e: any) => e.amount)).toEqual([
          -2_000,
        ]);
        expect((await held())?.n).toBe(0);
        const lost = await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'dispute' AND account = 'platform:clearing' AND order_id = ?",
        )
          .bind(o.order.order_id)
          .first<{ n: number }>();
        expect(lost?.n).toBe(1);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe("captures made at the provider", () => {
  it("charge.captured from the dashboard is recorded (once a minute old), and the shipment then captures only what is left", async () => {
    const o = await order();
    const charge = {
      id: `ch_${unique()}`,
      object: "charge",
      payment_intent: o.pi,
      amount: 5_000,
      amount_captured: 5_000,
    };
    // Fresh: it might be our own capture, not yet recorded, so it waits.
    expect(await deliver(`evt_${unique()}`, "charge.captured", charge)).toEqual({ received: true, parked: true });
    const id = `evt_${unique()}`;
    expect(await deliver(id, "charge.captured", charge, 120)).toEqual({ received: true });
    expect(await deliver(id, "charge.captured", charge, 120)).toEqual({ received: true, duplicate: true });
    const paid = await json(await call("GET", `/orders/${o.order.order_id}`, { token: o.buyer.access_token }));
    expect(paid.payment).toMatchObject({ captured_amount: 5_000 });
    // The parked copy, retried later, finds nothing new.
    expect(await retryParkedWebhookEvents(env, Date.now() + 600_000)).toBe(0);
    expect((await ship(o)).status).toBe(200);
    await vi.waitFor(
      async () =>
        expect((await ledgerOf(o.seller)).filter((e: any) => e.kind === "sale").map((e: any) => e.amount)).toEqual([
          4_500,
        ]),
      { timeout: 10_000, interval: 200 },
    );
  });
});

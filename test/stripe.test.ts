import Stripe from "stripe";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { onOrderShard } from "../src/db/shards";
import { ProviderUnavailable } from "../src/services/payments/provider";
import { overridePaymentProvider } from "../src/services/payments";
import { StripePaymentProvider } from "../src/services/payments/stripe-provider";
import { StripeDouble } from "./stripe-double";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

const address = "1 Main St, Springfield 12345, US";

function provider(double: StripeDouble) {
  return new StripePaymentProvider(
    "sk_test_double",
    "http://127.0.0.1:9" /* never dialled: the double answers every call in-process */,
    double.fetch,
  );
}

const req = (pm: string, key: string) => ({
  amount: 1500,
  currency: "usd",
  paymentMethod: pm,
  idempotencyKey: key,
  orderId: "ord_X",
  userId: "usr_X",
});

describe("stripe adapter against a wire-format double", () => {
  it("creates confirmed PaymentIntents, passing idempotency keys through", async () => {
    const double = new StripeDouble();
    const p = provider(double);
    const a = await p.charge(req("pm_card_visa", "k1"));
    const b = await p.charge(req("pm_card_visa", "k1"));
    expect(a).toEqual({ status: "succeeded", ref: expect.stringMatching(/^pi_double_/) });
    expect(b).toEqual(a);
    expect(double.intents.size).toBe(1);
    const call0 = double.calls[0];
    expect(call0.key).toBe("k1");
    expect(call0.form).toMatchObject({
      amount: "1500",
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: "true",
      "metadata[order_id]": "ord_X",
    });
  });

  it("maps declines, 3-D Secure, refunds and outages", async () => {
    const double = new StripeDouble();
    const p = provider(double);
    expect(await p.charge(req("pm_card_chargeDeclined", "k2"))).toMatchObject({
      status: "declined",
      code: "generic_decline",
    });
    const action = await p.charge(req("pm_card_authenticationRequired", "k3"));
    expect(action).toMatchObject({ status: "requires_action", clientSecret: expect.stringContaining("_secret_") });
    expect(await p.confirm(action.ref!, "pm_card_visa", "k4")).toEqual({ status: "succeeded", ref: action.ref });
    expect(await p.refund({ paymentRef: action.ref!, amount: 500, idempotencyKey: "r1" })).toMatchObject({
      status: "succeeded",
    });
    expect(await p.refund({ paymentRef: action.ref!, amount: 5000, idempotencyKey: "r2" })).toMatchObject({
      status: "failed",
      code: "amount_too_large",
    });
    double.failNext = 5;
    await expect(p.charge(req("pm_card_visa", "k5"))).rejects.toBeInstanceOf(ProviderUnavailable);
  });
});

describe("checkout through the stripe adapter", () => {
  afterEach(() => overridePaymentProvider(null));

  it("charges once per Idempotency-Key, and a provider outage holds no stock (503)", async () => {
    const double = new StripeDouble();
    overridePaymentProvider(provider(double));
    const cat = await createCategory(`Stripe ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 5, price: 1200 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    double.failNext = 2; // the first try and the SDK's one retry
    const down = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
    });
    expect(down.status).toBe(503);
    expect((await json(await call("GET", `/products/${product.product_id}`))).stock_available).toBe(5);
    const key = { "Idempotency-Key": unique() };
    const ok = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
      headers: key,
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
    const again = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: address },
      headers: key,
    });
    expect((await json(again)).order_id).toBe((await json(ok)).order_id);
    // Authorised (capture_method manual): captured when the seller ships.
    expect([...double.intents.values()].filter((pi) => pi.status === "requires_capture")).toHaveLength(1);
  });
});

describe("stripe webhooks", () => {
  const stripe = new Stripe("sk_unused", { httpClient: Stripe.createFetchHttpClient() });
  const secret = env.STRIPE_WEBHOOK_SECRET;

  async function pendingOrder() {
    const cat = await createCategory(`Hook ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 3, price: 900 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const order = await json(
      await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_authenticationRequired", shipping_address: address },
      }),
    );
    const ref = (await onOrderShard(env, order.order_id)
      .DB.prepare("SELECT transaction_ref FROM payments WHERE order_id = ?")
      .bind(order.order_id)
      .first<{ transaction_ref: string }>())!.transaction_ref;
    return { order, ref, buyer };
  }

  async function deliver(event: object, opts: { timestamp?: number; tamper?: boolean } = {}) {
    const payload = JSON.stringify(event);
    const header = await stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret,
      timestamp: opts.timestamp,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
    });
    return call("POST", "/payments/webhooks/stripe", {
      raw: opts.tamper ? payload.replace("payment_intent", "payment_intenx") : payload,
      headers: { "content-type": "application/json", "Stripe-Signature": header },
    });
  }

  const event = (id: string, type: string, pi: string) => ({
    id,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: pi, object: "payment_intent" } },
  });

  it("applies a signed event once; duplicates and out-of-order events change nothing; bad signatures are 400", async () => {
    const { order, ref, buyer } = await pendingOrder();
    expect((await deliver(event(`evt_${unique()}`, "payment_intent.succeeded", ref), { tamper: true })).status).toBe(
      400,
    );
    expect(
      (
        await deliver(event(`evt_${unique()}`, "payment_intent.succeeded", ref), {
          timestamp: Math.floor(Date.now() / 1000) - 3600,
        })
      ).status,
    ).toBe(400);
    expect(
      (await call("POST", "/payments/webhooks/stripe", { raw: "{}", headers: { "content-type": "application/json" } }))
        .status,
    ).toBe(400);

    const id = `evt_${unique()}`;
    const first = await deliver(event(id, "payment_intent.succeeded", ref));
    expect(await json(first)).toEqual({ received: true });
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "paid",
    );
    expect(await json(await deliver(event(id, "payment_intent.succeeded", ref)))).toEqual({
      received: true,
      duplicate: true,
    });
    const late = await deliver(event(`evt_${unique()}`, "payment_intent.payment_failed", ref));
    expect(await json(late)).toEqual({ received: true, ignored: true });
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "paid",
    );
  });
});

import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

/** Payment methods that finish away from the store: a redirect to a bank or wallet, then back (issue #21, part 2). */

// The store's return page in these tests: a loopback address nothing listens on (the test only reads the redirect).
const RETURN_URL = "http://127.0.0.1:9/checkout/return";

async function pendingRedirectOrder(method = "pm_test_redirect_bank") {
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, (await createCategory(unique("Redirect"))).category_id, {
    price: 3_000,
    stock_available: 2,
  });
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const res = await call("POST", "/orders", {
    token: buyer.access_token,
    body: { payment_method: method, shipping_address: "1 Main St", return_url: RETURN_URL },
    headers: { "idempotency-key": unique("k") },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { buyer, seller, product, order: await json(res) };
}

const stockOf = async (productId: string) => (await json(await call("GET", `/products/${productId}`))).stock_available;
const back = (orderId: string, token: string) =>
  call("POST", "/payments/return", { token, body: { order_id: orderId } });

describe("redirect and app payment methods", () => {
  it("pending_payment with a redirect next_action; the bank sends the buyer back to the return_url; the return pays the order", async () => {
    const { buyer, product, order } = await pendingRedirectOrder();
    expect(order.status).toBe("pending_payment");
    const action = order.payment.next_action;
    expect(action).toMatchObject({ type: "redirect_to_url" });
    expect(action.url).toMatch(/^\/payments\/test-provider\/authorize\/pi_test_[a-f0-9]{24}$/);
    // The unit is held while the buyer is away.
    expect(await stockOf(product.product_id)).toBe(1);
    // Coming back before deciding changes nothing.
    expect((await json(await back(order.order_id, buyer.access_token))).status).toBe("pending_payment");

    const page = await call("GET", action.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("decision=approve");
    const approved = await call("GET", `${action.url}?decision=approve`, { redirect: "manual" });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
    expect(location.searchParams.get("redirect_status")).toBe("succeeded");
    expect(location.searchParams.get("payment_ref")).toBe(order.payment.transaction_ref);

    const paid = await back(order.order_id, buyer.access_token);
    expect(paid.status).toBe(200);
    expect(await json(paid)).toMatchObject({
      status: "paid",
      payment: { status: "succeeded", capture_method: "manual" },
    });
    // Twice (a reload of the return page): the same answer, nothing more.
    expect((await json(await back(order.order_id, buyer.access_token))).status).toBe("paid");
    expect(await stockOf(product.product_id)).toBe(1);
  });

  it("declined at the bank: 402, the stock is let go, and the order can be paid again", async () => {
    const { buyer, product, order } = await pendingRedirectOrder("pm_test_wallet_app");
    const declined = await call("GET", `${order.payment.next_action.url}?decision=decline`, { redirect: "manual" });
    expect(new URL(declined.headers.get("location")!).searchParams.get("redirect_status")).toBe("failed");
    const res = await back(order.order_id, buyer.access_token);
    expect(res.status).toBe(402);
    expect((await json(res)).error.code).toBe("payment_declined");
    expect(await stockOf(product.product_id)).toBe(2);
    const retry = await call("POST", "/payments/pay", {
      token: buyer.access_token,
      body: { order_id: order.order_id, payment_method: "pm_card_visa" },
      headers: { "idempotency-key": unique("k") },
    });
    expect((await json(retry)).status).toBe("succeeded");
  });

  it("the webhook may come first: the return then finds the order paid", async () => {
    const { buyer, order } = await pendingRedirectOrder();
    await call("GET", `${order.payment.next_action.url}?decision=approve`, { redirect: "manual" });
    const stripe = new Stripe("sk_unused", { httpClient: Stripe.createFetchHttpClient() });
    const payload = JSON.stringify({
      id: `evt_${unique()}`,
      object: "event",
      type: "payment_intent.amount_capturable_updated",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: order.payment.transaction_ref, object: "payment_intent", capture_method: "manual" } },
    });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: env.STRIPE_WEBHOOK_SECRET,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
    });
    const hook = await call("POST", "/payments/webhooks/stripe", {
      raw: payload,
      headers: { "content-type": "application/json", "Stripe-Signature": header },
    });
    expect(await json(hook)).toEqual({ received: true });
    const res = await back(order.order_id, buyer.access_token);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("paid");
  });

  it("refuses return URLs that are not https (or loopback http), another buyer's return, and unknown bank decisions", async () => {
    const { buyer, order } = await pendingRedirectOrder();
    for (const return_url of ["javascript:alert(1)", "http://127.0.0.2:9/return", "ftp://127.0.0.1/x", "not a url"]) {
      const res = await call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_test_redirect_bank", shipping_address: "1 Main St", return_url },
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details[0].field).toBe("return_url");
    }
    const stranger = await signup();
    expect((await back(order.order_id, stranger.access_token)).status).toBe(404);
    expect(
      (await call("GET", "/payments/test-provider/authorize/pi_test_000000000000000000000000?decision=approve")).status,
    ).toBe(404);
    expect((await call("GET", `${order.payment.next_action.url}?decision=maybe`)).status).toBe(400);
  });

  it("a redirect method without a return_url is declined with the reason, holding nothing", async () => {
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, (await createCategory(unique("NoReturn"))).category_id, {
      stock_available: 1,
    });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const res = await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_test_redirect_bank", shipping_address: "1 Main St" },
    });
    expect(res.status).toBe(402);
    expect((await json(res)).error.details[0].code).toBe("return_url_required");
    expect(await stockOf(product.product_id)).toBe(1);
  });

  it("the Stripe adapter offers redirect methods only with a return_url, and passes the redirect on", async () => {
    const { StripePaymentProvider } = await import("../src/services/payments/stripe-provider");
    const { StripeDouble } = await import("./stripe-double");
    const double = new StripeDouble();
    const p = new StripePaymentProvider("sk_test_double", "http://127.0.0.1:9" /* never dialled */, double.fetch);
    const base = { amount: 1_000, currency: "usd", orderId: "ord_x", userId: "usr_x" };
    await p.charge({ ...base, paymentMethod: "pm_card_visa", idempotencyKey: unique("k") });
    expect(double.calls.at(-1)!.form).toMatchObject({ "automatic_payment_methods[allow_redirects]": "never" });
    const result = await p.charge({
      ...base,
      paymentMethod: "pm_card_redirect",
      idempotencyKey: unique("k"),
      returnUrl: RETURN_URL,
    });
    expect(double.calls.at(-1)!.form).toMatchObject({ return_url: RETURN_URL });
    expect(double.calls.at(-1)!.form["automatic_payment_methods[allow_redirects]"]).toBeUndefined();
    expect(result).toMatchObject({ status: "requires_action", nextAction: { type: "redirect_to_url" } });
    expect(await p.retrieve((result as { ref: string }).ref)).toMatchObject({ status: "requires_action" });
  });
});

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { overridePaymentProvider } from "../src/services/payments";
import { TestPaymentProvider } from "../src/services/payments/test-provider";
import { call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** Saved cards that work on the provider: attached to the buyer's customer, reused off-session, detached when removed (issue #21, part 3). */

afterEach(() => overridePaymentProvider(null));

const save = (buyer: TestUser, payment_method: string) =>
  call("POST", "/wallet/payment-methods", { token: buyer.access_token, body: { payment_method, label: "Mine" } });

async function checkoutWithSaved(buyer: TestUser, methodId: string) {
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, (await createCategory(unique("Saved"))).category_id, {
    price: 2_500,
    stock_available: 3,
  });
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  return call("POST", "/orders", {
    token: buyer.access_token,
    body: { payment_method_id: methodId, shipping_address: "1 Main St" },
    headers: { "idempotency-key": unique("k") },
  });
}

describe("saved payment methods on the provider", () => {
  it("keeps only the provider's ids and the card's display data; pays off-session; removing detaches it", async () => {
    const detached: string[] = [];
    overridePaymentProvider(
      new (class extends TestPaymentProvider {
        override async detach(ref: string) {
          detached.push(ref);
        }
      })(),
    );
    const buyer = await signup();
    const res = await save(buyer, "pm_card_visa");
    expect(res.status).toBe(201);
    const method = await json(res);
    expect(method.card).toMatchObject({ brand: "visa", last4: "4242", exp_month: 12 });
    expect(method.display).toMatch(/^visa •••• 4242 12\/\d{4}$/);
    const row = await env.DB.prepare("SELECT * FROM wallet_methods WHERE id = ?")
      .bind(method.payment_method_id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ brand: "visa", last4: "4242" });
    expect(JSON.stringify(row)).not.toContain("pm_card_visa");
    const customer = await env.DB.prepare("SELECT customer_ref FROM wallet_customers WHERE user_id = ?")
      .bind(buyer.user.user_id)
      .first<{ customer_ref: string }>();
    expect(customer?.customer_ref).toMatch(/^cus_test_/);

    const paid = await checkoutWithSaved(buyer, method.payment_method_id);
    expect(paid.status).toBe(201);
    expect((await json(paid)).status).toBe("paid");

    // Nobody else can charge or remove it.
    const thief = await signup();
    expect((await checkoutWithSaved(thief, method.payment_method_id)).status).toBe(404);
    expect(
      (await call("DELETE", `/wallet/payment-methods/${method.payment_method_id}`, { token: thief.access_token }))
        .status,
    ).toBe(404);
    expect(detached).toEqual([]);

    expect(
      (await call("DELETE", `/wallet/payment-methods/${method.payment_method_id}`, { token: buyer.access_token }))
        .status,
    ).toBe(204);
    expect(detached).toEqual(["pm_card_visa"]);
    expect((await json(await call("GET", "/wallet", { token: buyer.access_token }))).payment_methods).toEqual([]);
  });

  it("a card that cannot be saved is 402 and nothing is kept", async () => {
    const buyer = await signup();
    const res = await save(buyer, "pm_card_chargeDeclined");
    expect(res.status).toBe(402);
    expect((await json(res)).error.code).toBe("payment_declined");
    expect((await json(await call("GET", "/wallet", { token: buyer.access_token }))).payment_methods).toEqual([]);
  });

  it("through the Stripe adapter: one Customer per buyer, a SetupIntent for off-session use, the PaymentIntent on the customer, detach on removal", async () => {
    const { StripePaymentProvider } = await import("../src/services/payments/stripe-provider");
    const { StripeDouble } = await import("./stripe-double");
    const double = new StripeDouble();
    overridePaymentProvider(
      new StripePaymentProvider("sk_test_double", "http://127.0.0.1:9" /* never dialled */, double.fetch),
    );
    const buyer = await signup();
    const first = await json(await save(buyer, "pm_card_visa"));
    const second = await json(await save(buyer, "pm_card_mastercard"));
    expect(second.card).toMatchObject({ brand: "mastercard", last4: "4444", exp_year: 2030 });
    expect(double.calls.filter((c) => c.path === "/v1/customers")).toHaveLength(1);
    const setups = double.calls.filter((c) => c.path === "/v1/setup_intents");
    expect(setups).toHaveLength(2);
    const customer = [...double.customers.keys()][0];
    for (const s of setups) expect(s.form).toMatchObject({ customer, usage: "off_session", confirm: "true" });

    expect((await checkoutWithSaved(buyer, first.payment_method_id)).status).toBe(201);
    const charge = double.calls.filter((c) => c.path === "/v1/payment_intents").at(-1)!;
    expect(charge.form).toMatchObject({ customer, off_session: "true" });
    expect(charge.form.payment_method).toMatch(/^pm_double_/);

    expect(
      (await call("DELETE", `/wallet/payment-methods/${first.payment_method_id}`, { token: buyer.access_token }))
        .status,
    ).toBe(204);
    expect(double.calls.some((c) => c.path === `/v1/payment_methods/${charge.form.payment_method}/detach`)).toBe(true);
  });
});

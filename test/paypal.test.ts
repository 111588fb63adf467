import { afterEach, describe, expect, it } from "vitest";
import { overridePaymentProvider } from "../src/services/payments";
import { PayPalPaymentProvider, paypalValue } from "../src/services/payments/paypal-provider";
import { PayPalDouble } from "./paypal-double";
import { call, callWithVars, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** PayPal on REST Orders v2, against a wire-format double (issue #21, part 2). */

const RETURN_URL = "http://127.0.0.1:9/checkout/return"; // loopback; nothing listens or follows
const post = (path: string, token: string, body: unknown) =>
  call("POST", path, { token, body, headers: { "idempotency-key": unique("k") } });

function usePayPal() {
  const double = new PayPalDouble();
  overridePaymentProvider(
    new PayPalPaymentProvider("client_double", "secret_double", "http://127.0.0.1:9", double.fetch),
  );
  return double;
}
afterEach(() => overridePaymentProvider(null));

async function paypalOrder(double: PayPalDouble, sellers = 1) {
  const category = (await createCategory(unique("PayPal"))).category_id;
  const buyer = await signup();
  const seller: TestUser[] = [];
  for (let n = 0; n < sellers; n++) {
    const s = await signup({ role: "seller" });
    seller.push(s);
    const p = await createProduct(s, category, { price: n === 0 ? 3_000 : 2_000, stock_available: 3 });
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
  }
  const res = await post("/orders", buyer.access_token, {
    payment_method: "paypal",
    shipping_address: "1 Main St",
    return_url: RETURN_URL,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const order = await json(res);
  return { buyer, seller, order, ref: order.payment.transaction_ref as string, double };
}

const webhookVars = {
  PAYPAL_WEBHOOK_ID: "WH_double",
  PAYPAL_CLIENT_ID: "client_double",
  PAYPAL_CLIENT_SECRET: "secret_double",
};
async function deliver(double: PayPalDouble, event: object, signed = true) {
  const transmission = unique("tx");
  if (signed) double.signed.add(transmission);
  return callWithVars(webhookVars, "POST", "/payments/webhooks/paypal", {
    raw: JSON.stringify(event),
    headers: {
      "content-type": "application/json",
      "paypal-transmission-id": transmission,
      "paypal-transmission-time": new Date().toISOString(),
      "paypal-transmission-sig": "sig",
      "paypal-cert-url": "http://127.0.0.1:9/cert.pem",
      "paypal-auth-algo": "SHA256withRSA",
    },
  });
}

describe("PayPal", () => {
  it("writes money as PayPal's decimal strings", () => {
    expect([paypalValue(1234, "usd"), paypalValue(5, "eur"), paypalValue(1500, "jpy")]).toEqual([
      "12.34",
      "0.05",
      "1500",
    ]);
  });

  it("creates an AUTHORIZE order, sends the buyer to approve it, authorises it on their return; shipments capture in parts, a cancel voids the rest, a refund goes to the capture", async () => {
    const double = usePayPal();
    const { buyer, seller, order, ref } = await paypalOrder(double, 2);
    expect(order.status).toBe("pending_payment");
    expect(order.payment.next_action).toEqual({
      type: "redirect_to_url",
      url: `http://127.0.0.1:9/paypal/checkoutnow?token=${ref}`,
    });
    const created = double.calls.find((c) => c.path === "/v2/checkout/orders")!;
    expect(created.body).toMatchObject({
      intent: "AUTHORIZE",
      purchase_units: [{ reference_id: order.order_id, amount: { currency_code: "USD", value: "50.00" } }],
      payment_source: { paypal: { experience_context: { return_url: RETURN_URL } } },
    });
    expect(created.requestId).toBe(`order:${order.order_id}:checkout`);

    // Back before approving: still waiting. Then approved: authorised, paid.
    expect(
      (
        await json(
          await call("POST", "/payments/return", { token: buyer.access_token, body: { order_id: order.order_id } }),
        )
      ).status,
    ).toBe("pending_payment");
    double.approve(ref);
    const paid = await json(
      await call("POST", "/payments/return", { token: buyer.access_token, body: { order_id: order.order_id } }),
    );
    expect(paid).toMatchObject({
      status: "paid",
      payment: { status: "succeeded", capture_method: "manual", captured_amount: 0 },
    });
    expect(double.calls.filter((c) => c.path.endsWith("/authorize"))).toHaveLength(1);

    const a = seller[0];
    const shipped = await post(`/orders/${order.order_id}/status`, a.access_token, {
      status: "shipped",
      tracking_number: "1ZP",
    });
    expect(shipped.status).toBe(200);
    const capture = double.calls.find((c) => /\/v2\/payments\/authorizations\/[^/]+\/capture$/.test(c.path))!;
    expect(capture.body).toEqual({ amount: { currency_code: "USD", value: "30.00" }, final_capture: false });
    expect(capture.requestId).toMatch(/^capture:/);

    expect((await post(`/orders/${order.order_id}/status`, buyer.access_token, { status: "cancelled" })).status).toBe(
      200,
    );
    expect(double.calls.some((c) => c.path.endsWith("/void"))).toBe(true);
    const after = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(after.payment).toMatchObject({ captured_amount: 3_000, released_amount: 2_000 });

    const { adminUser } = await import("./helpers");
    const admin = await adminUser();
    const refund = await post("/payments/refunds", admin.access_token, {
      order_id: order.order_id,
      amount: 1_000,
      reason: "scratched",
    });
    expect(refund.status, await refund.clone().text()).toBe(201);
    const sent = double.calls.find((c) => c.path.endsWith("/refund"))!;
    expect(sent.body).toEqual({ amount: { currency_code: "USD", value: "10.00" } });
    expect((await json(refund)).transaction_ref).toMatch(/^REF/);
  });

  it("a verified CHECKOUT.ORDER.APPROVED pays the order once; unverified events are 400; a refund made at PayPal is recorded", async () => {
    const double = usePayPal();
    const { buyer, order, ref } = await paypalOrder(double);
    double.approve(ref);
    const approved = {
      id: `WH-${unique()}`,
      event_type: "CHECKOUT.ORDER.APPROVED",
      resource: { id: ref, status: "APPROVED" },
    };
    expect((await deliver(double, approved, false)).status).toBe(400);
    expect(await json(await deliver(double, approved))).toEqual({ received: true });
    expect(await json(await deliver(double, approved))).toEqual({ received: true, duplicate: true });
    const now = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(now.status).toBe("paid");
    // The buyer's return afterwards finds it paid.
    expect(
      (
        await json(
          await call("POST", "/payments/return", { token: buyer.access_token, body: { order_id: order.order_id } }),
        )
      ).status,
    ).toBe("paid");

    // Captured at shipment, then refunded from PayPal's dashboard.
    const refunded = {
      id: `WH-${unique()}`,
      event_type: "PAYMENT.CAPTURE.REFUNDED",
      resource: {
        id: `REFX${unique()}`,
        amount: { value: "5.00", currency_code: "USD" },
        supplementary_data: { related_ids: { order_id: ref } },
      },
    };
    expect(await json(await deliver(double, refunded))).toEqual({ received: true });
    expect(await json(await deliver(double, { ...refunded, id: `WH-${unique()}` }))).toEqual({
      received: true,
      ignored: true,
    });
    const refunds = (await json(await call("GET", "/payments/refunds", { token: buyer.access_token }))).data;
    expect(refunds).toEqual([expect.objectContaining({ amount: 500, transaction_ref: refunded.resource.id })]);
  });

  it("a PayPal dispute freezes the seller's share, and one resolved in the seller's favour gives it back", async () => {
    const double = usePayPal();
    const { buyer, seller, order, ref } = await paypalOrder(double);
    double.approve(ref);
    await call("POST", "/payments/return", { token: buyer.access_token, body: { order_id: order.order_id } });
    expect(
      (
        await post(`/orders/${order.order_id}/status`, seller[0].access_token, {
          status: "shipped",
          tracking_number: "1ZD",
        })
      ).status,
    ).toBe(200);
    const captureId = double.orders.get(ref).purchase_units[0].payments.captures[0].id;
    const { vi } = await import("vitest");
    const ledger = async () =>
      (await json(await call("GET", "/seller/ledger", { token: seller[0].access_token }))).data;
    await vi.waitFor(async () => expect((await ledger()).some((e: any) => e.kind === "sale")).toBe(true), {
      timeout: 10_000,
      interval: 200,
    });
    const resource = {
      dispute_id: `PP-D-${unique()}`,
      reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
      dispute_amount: { currency_code: "USD", value: "30.00" },
      disputed_transactions: [{ seller_transaction_id: captureId }],
    };
    expect(
      await json(await deliver(double, { id: `WH-${unique()}`, event_type: "CUSTOMER.DISPUTE.CREATED", resource })),
    ).toEqual({ received: true });
    await vi.waitFor(
      async () =>
        expect((await ledger()).filter((e: any) => e.kind === "dispute").map((e: any) => e.amount)).toEqual([-3_000]),
      { timeout: 10_000, interval: 200 },
    );
    const resolved = { ...resource, status: "RESOLVED", dispute_outcome: { outcome_code: "RESOLVED_SELLER_FAVOUR" } };
    expect(
      await json(
        await deliver(double, { id: `WH-${unique()}`, event_type: "CUSTOMER.DISPUTE.RESOLVED", resource: resolved }),
      ),
    ).toEqual({ received: true });
    await vi.waitFor(
      async () =>
        expect(
          (await ledger())
            .filter((e: any) => e.kind === "dispute")
            .map((e: any) => e.amount)
            .sort(),
        ).toEqual([-3_000, 3_000]),
      { timeout: 10_000, interval: 200 },
    );
  });

  it("PayPal needs a return_url (402, nothing held), and a store without PayPal says so", async () => {
    const double = usePayPal();
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, (await createCategory(unique("PP"))).category_id, { stock_available: 1 });
    const buyer = await signup();
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
    const res = await post("/orders", buyer.access_token, { payment_method: "paypal", shipping_address: "1 Main St" });
    expect(res.status).toBe(402);
    expect((await json(res)).error.details[0].code).toBe("return_url_required");
    expect(double.calls.filter((c) => c.path === "/v2/checkout/orders")).toHaveLength(0);
    expect(
      (
        await callWithVars({}, "POST", "/payments/webhooks/paypal", {
          raw: "{}",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(404);
  });
});

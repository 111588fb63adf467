import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onOrderShard } from "../src/db/shards";
import { settleExpiringAuthorisations } from "../src/services/fulfilment";
import { overridePaymentProvider } from "../src/services/payments";
import { TestPaymentProvider } from "../src/services/payments/test-provider";
import type { CaptureRequest } from "../src/services/payments/provider";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** Authorise at checkout, capture per seller shipment, release what is cancelled (issue #21, part 1). */

const post = (path: string, token: string, body: unknown) =>
  call("POST", path, { token, body, headers: { "idempotency-key": unique("k") } });
const balanceOf = async (s: TestUser) => json(await call("GET", "/seller/balance", { token: s.access_token }));
const address = {
  name: "Ann",
  line1: "1 Main St",
  city: "Sacramento",
  postal_code: "95814",
  country: "US",
  region: "CA",
};

/** The test provider, with every capture and release it was asked for recorded. */
function recordingProvider() {
  const seen = { captures: [] as CaptureRequest[], releases: [] as string[], refunds: [] as number[] };
  overridePaymentProvider(
    new (class extends TestPaymentProvider {
      override async capture(req: CaptureRequest) {
        seen.captures.push(req);
        return super.capture(req);
      }
      override async release(ref: string, key: string) {
        seen.releases.push(ref);
        return super.release(ref, key);
      }
      override async refund(req: { paymentRef: string; amount: number; idempotencyKey: string }) {
        seen.refunds.push(req.amount);
        return super.refund(req);
      }
    })(),
  );
  return seen;
}

async function twoSellerOrder(opts: { wallet?: number } = {}) {
  const category = (await createCategory(unique("Capture"))).category_id;
  const [a, b, buyer] = [await signup({ role: "seller" }), await signup({ role: "seller" }), await signup()];
  // A charges 500 for shipping; B ships free.
  await call("PUT", "/seller/shipping-profile", {
    token: a.access_token,
    body: {
      zones: [
        {
          name: "US",
          countries: ["US"],
          rates: [{ name: "Std", kind: "flat", amount: 500, min_days: 1, max_days: 3 }],
        },
      ],
    },
  });
  const pa = await createProduct(a, category, { price: 6_000, stock_available: 5 });
  const pb = await createProduct(b, category, { price: 4_000, stock_available: 5 });
  for (const p of [pa, pb])
    await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
  if (opts.wallet) {
    const admin = await adminUser();
    await call("POST", "/wallet/credits", {
      token: admin.access_token,
      body: { user_id: buyer.user.user_id, amount: opts.wallet, reason: "goodwill" },
    });
  }
  const res = await post("/orders", buyer.access_token, {
    payment_method: "pm_card_visa",
    shipping_address: address,
    ...(opts.wallet ? { use_wallet: true } : {}),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const order = await json(res);
  const line = (s: TestUser) => order.items.find((i: any) => i.seller_id === s.user.user_id);
  return { a, b, buyer, order, line, pa, pb };
}

const getOrder = async (id: string, who: TestUser) =>
  json(await call("GET", `/orders/${id}`, { token: who.access_token }));

afterEach(async () => {
  overridePaymentProvider(null);
  const admin = await adminUser();
  await call("PUT", "/admin/payments/capture-policy", {
    token: admin.access_token,
    body: { capture: "on_shipment", on_expiry: "capture", expiry_margin_hours: 24 },
  });
});

describe("authorise, then capture per seller shipment", () => {
  it("authorises the total; each seller's shipment captures their share; cancelled lines are released, not refunded", async () => {
    const seen = recordingProvider();
    const { a, b, buyer, order, line } = await twoSellerOrder();
    const taxA = line(a).tax;
    const taxB = line(b).tax;
    expect(taxA).toBeGreaterThan(0);
    expect(order).toMatchObject({
      status: "paid",
      payment: { status: "succeeded", capture_method: "manual", captured_amount: 0, released_amount: 0 },
    });
    expect(order.payment.amount).toBe(order.total_amount);
    expect(order.items.map((i: any) => i.capture_state)).toEqual(["authorized", "authorized"]);

    // A ships: A's line as paid (goods and its tax) plus A's shipping; not the last capture.
    const shipped = await post(`/orders/${order.order_id}/status`, a.access_token, {
      status: "shipped",
      tracking_number: "1ZA",
    });
    expect(shipped.status).toBe(200);
    const aShare = 6_000 + taxA + 500;
    expect(seen.captures).toEqual([expect.objectContaining({ amount: aShare, final: false })]);
    // The seller sees their lines' capture state, never the payment.
    const asSeller = await json(shipped);
    expect(asSeller.payment).toBeNull();
    expect(asSeller.items).toEqual([expect.objectContaining({ capture_state: "captured" })]);
    await vi.waitFor(async () => expect((await balanceOf(a)).pending).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 200,
    });
    expect(await balanceOf(b)).toMatchObject({ pending: 0 });

    // A retried shipment captures nothing twice (409: already shipped; one capture recorded).
    expect(
      (await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" }))
        .status,
    ).toBe(409);
    expect(seen.captures).toHaveLength(1);

    // The buyer cancels B's unshipped line: its money (and the tax on it, and what is left) is let go.
    expect((await post(`/orders/${order.order_id}/status`, buyer.access_token, { status: "cancelled" })).status).toBe(
      200,
    );
    const after = await getOrder(order.order_id, buyer);
    expect(after.payment).toMatchObject({ captured_amount: aShare, released_amount: 4_000 + taxB });
    expect(after.payment.captured_amount + after.payment.released_amount).toBe(order.total_amount);
    expect(Object.fromEntries(after.items.map((i: any) => [i.seller_id, i.capture_state]))).toEqual({
      [a.user.user_id]: "captured",
      [b.user.user_id]: "released",
    });
    expect(seen.refunds).toEqual([]);
    expect(seen.releases).toHaveLength(1);
    // B was never credited, so nothing is taken from B.
    await new Promise((r) => setTimeout(r, 300));
    expect((await json(await call("GET", "/seller/ledger", { token: b.access_token }))).data).toEqual([]);
  });

  it("the last shipment takes what is left and is final; a refund after capture refunds captured money", async () => {
    const seen = recordingProvider();
    const { a, b, order, line } = await twoSellerOrder();
    await post(`/orders/${order.order_id}/status`, b.access_token, { status: "shipped", tracking_number: "1ZB" });
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    expect(seen.captures.map((c) => [c.amount, c.final])).toEqual([
      [4_000 + line(b).tax, false],
      [order.total_amount - (4_000 + line(b).tax), true],
    ]);
    const admin = await adminUser();
    const paid = await getOrder(order.order_id, admin);
    expect(paid.payment).toMatchObject({ captured_amount: order.total_amount, released_amount: 0 });
    // Both sellers are credited at their capture: sale net of commission, plus A's shipping.
    await vi.waitFor(
      async () => {
        const kinds = (await json(await call("GET", "/seller/ledger", { token: a.access_token }))).data.map(
          (e: any) => e.kind,
        );
        expect(kinds.sort()).toEqual(["sale", "shipping"]);
        expect((await balanceOf(b)).pending).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    const refund = await post("/payments/refunds", admin.access_token, {
      order_id: order.order_id,
      amount: 1_000,
      reason: "goodwill",
    });
    expect(refund.status).toBe(201);
    expect(seen.refunds).toEqual([1_000]);
    expect(seen.releases).toEqual([]);
  });

  it("a capture the provider refuses leaves the lines unshipped (409), and the money authorised", async () => {
    const { a, buyer, order } = await twoSellerOrder();
    overridePaymentProvider(
      new (class extends TestPaymentProvider {
        override async capture() {
          return {
            status: "failed" as const,
            code: "payment_intent_unexpected_state",
            message: "The authorisation expired",
          };
        }
      })(),
    );
    const res = await post(`/orders/${order.order_id}/status`, a.access_token, {
      status: "shipped",
      tracking_number: "1ZA",
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.details[0]).toMatchObject({
      field: "payment",
      code: "payment_intent_unexpected_state",
    });
    const after = await getOrder(order.order_id, buyer);
    expect(after.items.every((i: any) => i.status === "paid" && i.capture_state === "authorized")).toBe(true);
    expect(after.payment.captured_amount).toBe(0);
  });

  it("store credit pays first: captures take at most the card's part, and each seller is still credited their whole share", async () => {
    const seen = recordingProvider();
    const { a, b, order, line } = await twoSellerOrder({ wallet: 5_000 });
    expect(order.wallet_amount).toBe(5_000);
    expect(order.payment.amount).toBe(order.total_amount - 5_000);
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    await post(`/orders/${order.order_id}/status`, b.access_token, { status: "shipped", tracking_number: "1ZB" });
    // A's share (6,000, its tax and 500 shipping) is more than the card's part: A's capture takes all of it,
    // and B's shipment has nothing left to capture on the card.
    expect(6_000 + line(a).tax + 500).toBeGreaterThan(order.payment.amount);
    expect(seen.captures.map((c) => c.amount)).toEqual([order.payment.amount]);
    // B's 4,000 less the default commission, though the card gave less than that for B's share.
    await vi.waitFor(
      async () => {
        const sale = (await json(await call("GET", "/seller/ledger", { token: b.access_token }))).data.find(
          (e: any) => e.kind === "sale",
        );
        expect(sale?.amount).toBe(3_600);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe("the capture policy", () => {
  it("is the admin's to read and set (audited); bad values are 400, anyone else 403", async () => {
    const admin = await adminUser();
    const seller = await signup({ role: "seller" });
    expect((await call("GET", "/admin/payments/capture-policy", { token: seller.access_token })).status).toBe(403);
    expect(await json(await call("GET", "/admin/payments/capture-policy", { token: admin.access_token }))).toEqual({
      capture: "on_shipment",
      on_expiry: "capture",
      expiry_margin_hours: 24,
    });
    for (const body of [{ capture: "later" }, { expiry_margin_hours: 0 }, { on_expiry: "release", extra: 1 }]) {
      expect((await call("PUT", "/admin/payments/capture-policy", { token: admin.access_token, body })).status).toBe(
        400,
      );
    }
    expect(
      (
        await call("PUT", "/admin/payments/capture-policy", {
          token: seller.access_token,
          body: { capture: "immediate" },
        })
      ).status,
    ).toBe(403);
    const set = await call("PUT", "/admin/payments/capture-policy", {
      token: admin.access_token,
      body: { capture: "immediate" },
    });
    expect(await json(set)).toMatchObject({ capture: "immediate", on_expiry: "capture" });
    const log = await json(await call("GET", "/admin/audit-log?limit=100", { token: admin.access_token }));
    expect(log.data.some((e: any) => e.action === "payments.capture_policy")).toBe(true);
  });

  it("immediate: the checkout captures the whole order and the ledger posts at payment", async () => {
    const admin = await adminUser();
    await call("PUT", "/admin/payments/capture-policy", { token: admin.access_token, body: { capture: "immediate" } });
    const seen = recordingProvider();
    const { a, order } = await twoSellerOrder();
    expect(order.payment).toMatchObject({ capture_method: "automatic", captured_amount: order.total_amount });
    expect(order.items.map((i: any) => i.capture_state)).toEqual(["captured", "captured"]);
    await vi.waitFor(async () => expect((await balanceOf(a)).pending).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 200,
    });
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    expect(seen.captures).toEqual([]);
  });
});

describe("authorisations about to lapse", () => {
  const lapseSoon = (orderId: string) =>
    onOrderShard(env, orderId)
      .DB.prepare("UPDATE payments SET authorized_until = ? WHERE order_id = ?")
      .bind(new Date(Date.now() + 3_600_000).toISOString(), orderId)
      .run();

  it("`capture`: the cron captures the unshipped lines, once; they still ship later", async () => {
    const seen = recordingProvider();
    const { a, b, buyer, order } = await twoSellerOrder();
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    // Not yet due: nothing happens.
    expect(await settleExpiringAuthorisations(env)).toBe(0);
    await lapseSoon(order.order_id);
    expect(await settleExpiringAuthorisations(env)).toBeGreaterThanOrEqual(1);
    expect(await settleExpiringAuthorisations(env)).toBe(0);
    expect(seen.captures).toHaveLength(2);
    expect(seen.captures[1].final).toBe(true);
    const after = await getOrder(order.order_id, buyer);
    expect(after.payment.captured_amount).toBe(order.total_amount);
    expect(after.items.every((i: any) => i.capture_state === "captured")).toBe(true);
    expect(
      (await post(`/orders/${order.order_id}/status`, b.access_token, { status: "shipped", tracking_number: "1ZB" }))
        .status,
    ).toBe(200);
    expect(seen.captures).toHaveLength(2);
  });

  it("`release`: the cron cancels the unshipped lines, which lets their money go and restocks them", async () => {
    const admin = await adminUser();
    await call("PUT", "/admin/payments/capture-policy", { token: admin.access_token, body: { on_expiry: "release" } });
    const seen = recordingProvider();
    const { a, b, buyer, order, pb } = await twoSellerOrder();
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    await lapseSoon(order.order_id);
    expect(await settleExpiringAuthorisations(env)).toBeGreaterThanOrEqual(1);
    const after = await getOrder(order.order_id, buyer);
    const bLine = after.items.find((i: any) => i.seller_id === b.user.user_id);
    expect(bLine).toMatchObject({ status: "cancelled", capture_state: "released" });
    expect(after.payment.captured_amount + after.payment.released_amount).toBe(order.total_amount);
    expect(seen.releases).toHaveLength(1);
    const stock = await json(await call("GET", `/inventory/${pb.product_id}`, { token: b.access_token }));
    expect(stock.stock_available).toBe(5);
  });
});

describe("authorise and capture through the Stripe adapter (wire-format double)", () => {
  it("a manual PaymentIntent: one seller's partial capture, then the cancelled rest released by cancelling the intent", async () => {
    const { StripePaymentProvider } = await import("../src/services/payments/stripe-provider");
    const { StripeDouble } = await import("./stripe-double");
    const double = new StripeDouble();
    overridePaymentProvider(
      new StripePaymentProvider("sk_test_double", "http://127.0.0.1:9" /* never dialled */, double.fetch),
    );
    const { a, buyer, order, line } = await twoSellerOrder();
    const create = double.calls.find((c) => c.path === "/v1/payment_intents")!;
    expect(create.form).toMatchObject({
      capture_method: "manual",
      "payment_method_options[card][request_multicapture]": "if_available",
    });
    const pi = order.payment.transaction_ref;
    expect(double.intents.get(pi)).toMatchObject({ status: "requires_capture", amount_capturable: order.total_amount });

    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    const share = 6_000 + line(a).tax + 500;
    const capture = double.calls.find((c) => c.path === `/v1/payment_intents/${pi}/capture`)!;
    expect(capture.form).toMatchObject({ amount_to_capture: String(share), final_capture: "false" });
    expect(capture.key).toMatch(/^capture:/);
    expect(double.intents.get(pi)).toMatchObject({ status: "requires_capture", amount_received: share });

    await post(`/orders/${order.order_id}/status`, buyer.access_token, { status: "cancelled" });
    expect(double.intents.get(pi)).toMatchObject({ status: "canceled", amount_received: share, amount_capturable: 0 });
    expect(double.refunds.size).toBe(0);
  });
});

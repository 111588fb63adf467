import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { runPayouts } from "../src/services/ledger";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

let categoryId: string;
let sub: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Money"))).category_id;
  sub = (await createCategory(unique("MoneySub"), categoryId)).category_id;
});
// (test/setup.ts checks after every test of every file that the ledger sums to zero.)
const post = (path: string, token: string, body: unknown) =>
  call("POST", path, { token, body, headers: { "idempotency-key": unique("k") } });
const balanceOf = async (s: TestUser) => json(await call("GET", "/seller/balance", { token: s.access_token }));
const holdPassed = (orderId: string) =>
  env.DB.prepare(
    "UPDATE ledger_entries SET available_at = '2000-01-01T00:00:00.000Z' WHERE order_id = ? AND available_at IS NOT NULL",
  )
    .bind(orderId)
    .run();
const settled = (s: TestUser, check: (b: any) => void) =>
  vi.waitFor(async () => check(await balanceOf(s)), { timeout: 10_000, interval: 200 });

describe("seller money", () => {
  it("credits a sale net of commission (inherited from the parent category), pending until delivery plus the hold, then pays it out", async () => {
    const admin = await adminUser();
    expect(
      (
        await call("PUT", "/admin/commissions", {
          token: admin.access_token,
          body: { rules: [{ category_id: categoryId, percent: 15, fixed: 30, min: 50, max: 10_000 }] },
        })
      ).status,
    ).toBe(200);
    onTestFinished(
      async () => void (await call("PUT", "/admin/commissions", { token: admin.access_token, body: { rules: [] } })),
    );
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, sub, { price: 10_000, stock_available: 5 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const order = await json(
      await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
    );
    // Paid means authorised: the card is captured when the seller ships, and the ledger posts then.
    expect(order).toMatchObject({ status: "paid", payment: { capture_method: "manual", captured_amount: 0 } });
    expect(order.items[0].capture_state).toBe("authorized");
    expect(await balanceOf(seller)).toMatchObject({ pending: 0, available: 0, paid_out: 0 });

    const shipped = await json(
      await post(`/orders/${order.order_id}/status`, seller.access_token, {
        status: "shipped",
        tracking_number: "1ZM",
      }),
    );
    expect(shipped.items[0].capture_state).toBe("captured");
    // 10,000 less 15% and 30: 8,470 to the seller, pending.
    await settled(seller, (b) => expect(b).toMatchObject({ pending: 8_470, available: 0, paid_out: 0 }));
    const entries = (await json(await call("GET", "/seller/ledger", { token: seller.access_token }))).data;
    expect(entries).toEqual([
      expect.objectContaining({ kind: "sale", amount: 8_470, order_id: order.order_id, available_at: null }),
    ]);
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "delivered" });
    await vi.waitFor(
      async () =>
        expect(
          (await json(await call("GET", "/seller/ledger", { token: seller.access_token }))).data[0].available_at,
        ).not.toBeNull(),
      { timeout: 10_000, interval: 200 },
    );
    expect(await balanceOf(seller)).toMatchObject({ pending: 8_470, available: 0 });

    // The holding period passes (the entries are dated back); the payout run pays the available balance.
    await holdPassed(order.order_id);
    expect(await balanceOf(seller)).toMatchObject({ pending: 0, available: 8_470 });
    const sent: any[] = [];
    await runPayouts(env, async (p) => (sent.push(p), { ok: true, ref: "tr_local" }));
    const mine = sent.filter((p) => p.sellerId === seller.user.user_id);
    expect(mine).toEqual([expect.objectContaining({ amount: 8_470 })]);
    expect(await balanceOf(seller)).toMatchObject({ pending: 0, available: 0, paid_out: 8_470 });
    expect((await json(await call("GET", "/seller/payouts", { token: seller.access_token }))).data).toEqual([
      expect.objectContaining({ amount: 8_470, status: "paid" }),
    ]);
  });

  it("debits the seller of the refunded lines only, and a failed payout leaves the money available", async () => {
    const [a, b, buyer] = [await signup({ role: "seller" }), await signup({ role: "seller" }), await signup()];
    const pa = await createProduct(a, categoryId, { price: 6_000, stock_available: 5 });
    const pb = await createProduct(b, categoryId, { price: 4_000, stock_available: 5 });
    for (const p of [pa, pb])
      await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: p.product_id, quantity: 1 } });
    const order = await json(
      await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
    );
    // A ships (A's share is captured and credited); the buyer cancels B's unshipped line: B's share
    // is let go of the authorisation, never captured, so B is never credited or debited.
    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "shipped", tracking_number: "1ZA" });
    await settled(a, (x) => expect(x.pending).toBe(5_400));
    expect((await post(`/orders/${order.order_id}/status`, buyer.access_token, { status: "cancelled" })).status).toBe(
      200,
    );
    const after = await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }));
    expect(after.payment).toMatchObject({ amount: 10_000, captured_amount: 6_000, released_amount: 4_000 });
    expect(after.items.map((i: any) => [i.seller_id, i.capture_state]).sort()).toEqual(
      [
        [a.user.user_id, "captured"],
        [b.user.user_id, "released"],
      ].sort(),
    );
    const refunds = (await json(await call("GET", "/payments/refunds", { token: buyer.access_token }))).data;
    expect(refunds).toEqual([expect.objectContaining({ amount: 4_000, status: "succeeded" })]);
    expect(await balanceOf(b)).toMatchObject({ pending: 0, available: 0 });
    expect((await json(await call("GET", "/seller/ledger", { token: b.access_token }))).data).toEqual([]);
    expect((await balanceOf(a)).pending).toBe(5_400);

    await post(`/orders/${order.order_id}/status`, a.access_token, { status: "delivered" });
    await vi.waitFor(
      async () =>
        expect(
          (await json(await call("GET", "/seller/ledger", { token: a.access_token }))).data[0].available_at,
        ).not.toBeNull(),
      { timeout: 10_000, interval: 200 },
    );
    await holdPassed(order.order_id);
    await runPayouts(env, async () => ({ ok: false }));
    expect(await balanceOf(a)).toMatchObject({ available: 5_400, paid_out: 0 });
    expect((await json(await call("GET", "/seller/payouts", { token: a.access_token }))).data[0].status).toBe("failed");
  });

  it("posts each entry once when the same events arrive again", async () => {
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, categoryId, { price: 2_000, stock_available: 5 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const order = await json(
      await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
    );
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "shipped", tracking_number: "1ZR" });
    await settled(seller, (x) => expect(x.pending).toBe(1_800));
    const { postOrderEvent } = await import("../src/services/ledger");
    const { buildEvent } = await import("../src/services/events");
    const replay = buildEvent("order.paid", {
      order_id: order.order_id,
      user_id: buyer.user.user_id,
      status: "paid",
      total_amount: 2_000,
      currency: "usd",
      seller_ids: [seller.user.user_id],
      items: [],
    });
    await postOrderEvent(env, replay);
    await postOrderEvent(env, replay);
    // The capture's event again, as the queue may redeliver it.
    const { onOrderShard } = await import("../src/db/shards");
    const row = await onOrderShard(env, order.order_id)
      .DB.prepare("SELECT payload FROM outbox_events WHERE type = 'payment.captured' AND payload LIKE ?")
      .bind(`%${order.order_id}%`)
      .first<{ payload: string }>();
    const captured = JSON.parse(row!.payload);
    await postOrderEvent(env, captured);
    await postOrderEvent(env, { ...captured, id: "evt_other" });
    expect((await balanceOf(seller)).pending).toBe(1_800);
  });

  it("keeps sellers' money to themselves and commissions to admins", async () => {
    const buyer = await signup();
    expect((await call("GET", "/seller/balance", { token: buyer.access_token })).status).toBe(403);
    const seller = await signup({ role: "seller" });
    expect((await call("GET", "/admin/commissions", { token: seller.access_token })).status).toBe(403);
    const admin = await adminUser();
    const bad = await call("PUT", "/admin/commissions", {
      token: admin.access_token,
      body: { rules: [{ category_id: categoryId, percent: 10, min: 500, max: 100 }] },
    });
    expect(bad.status).toBe(400);
  });
});

describe("payouts to connected accounts", () => {
  it("pays through a Stripe Connect transfer (against the wire-format double), holds when an admin says so, and states the month as CSV", async () => {
    const { StripePaymentProvider } = await import("../src/services/payments/stripe-provider");
    const { StripeDouble } = await import("./stripe-double");
    const double = new StripeDouble();
    const stripe = new StripePaymentProvider("sk_test_double", "http://127.0.0.1:9" /* never dialled */, double.fetch);
    const admin = await adminUser();
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, categoryId, { price: 5_000, stock_available: 5 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const order = await json(
      await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
    );
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "shipped", tracking_number: "1ZS" });
    await settled(seller, (x) => expect(x.pending).toBe(4_500));
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "delivered" });
    await vi.waitFor(
      async () =>
        expect(
          (await json(await call("GET", "/seller/ledger", { token: seller.access_token }))).data[0].available_at,
        ).not.toBeNull(),
      { timeout: 10_000, interval: 200 },
    );
    await holdPassed(order.order_id);

    const send = (p: { payoutId: string; amount: number; destination: string | null }) =>
      stripe.payout({ ...p, currency: "usd" });
    // Without a connected account the payout fails and the money stays available.
    await runPayouts(env, send);
    expect(await balanceOf(seller)).toMatchObject({ available: 4_500, paid_out: 0 });
    expect(
      (
        await call("PUT", "/seller/payout-account", {
          token: seller.access_token,
          body: { account_id: "acct_1Double42" },
        })
      ).status,
    ).toBe(200);
    // An admin's hold: nothing is paid.
    expect(
      (
        await call("PUT", `/admin/sellers/${seller.user.user_id}/payout-hold`, {
          token: admin.access_token,
          body: { hold: true },
        })
      ).status,
    ).toBe(200);
    await runPayouts(env, send);
    expect((await balanceOf(seller)).paid_out).toBe(0);
    await call("PUT", `/admin/sellers/${seller.user.user_id}/payout-hold`, {
      token: admin.access_token,
      body: { hold: false },
    });
    await runPayouts(env, send);
    expect(await balanceOf(seller)).toMatchObject({ available: 0, paid_out: 4_500 });
    const transfer = [...double.transfers.values()].find((t) => t.destination === "acct_1Double42");
    expect(transfer).toMatchObject({ amount: 4_500, currency: "usd" });
    expect(double.calls.find((c) => c.path === "/v1/transfers")?.key).toMatch(/^payout:po_/);
    expect(
      (await json(await call("GET", `/admin/sellers/${seller.user.user_id}/balance`, { token: admin.access_token })))
        .paid_out,
    ).toBe(4_500);

    const month = new Date().toISOString().slice(0, 7);
    const csv = await call("GET", `/seller/statements/${month}`, { token: seller.access_token });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("entry_id,kind,amount,currency,order_id,order_item_id,payout_id,created_at");
    expect(text).toContain(",sale,4500,");
    expect(text).toContain(",payout,-4500,");
  });
});

describe("seller settings", () => {
  async function deliveredOrder(seller: TestUser, price = 1_000) {
    const product = await createProduct(seller, categoryId, { price, stock_available: 5 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const order = await json(
      await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
    );
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "shipped", tracking_number: "1ZT" });
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "delivered" });
    return { buyer, order, product };
  }

  it("applies the seller's return window and refunds low-value returns on approval, without the parcel", async () => {
    const seller = await signup({ role: "seller" });
    const set = await call("PATCH", "/seller/settings", {
      token: seller.access_token,
      body: { return_window_days: 14, refund_on_approval_below: 1_500 },
    });
    expect(await json(set)).toMatchObject({ return_window_days: 14, refund_on_approval_below: 1_500 });
    expect(
      (await call("PATCH", "/seller/settings", { token: seller.access_token, body: { return_window_days: 3 } })).status,
    ).toBe(400);

    const late = await deliveredOrder(seller);
    const { onOrderShard } = await import("../src/db/shards");
    await onOrderShard(env, late.order.order_id)
      .DB.prepare("UPDATE orders SET delivered_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 20 * 86_400_000).toISOString(), late.order.order_id)
      .run();
    expect(
      (
        await post("/returns", late.buyer.access_token, {
          order_id: late.order.order_id,
          items: [{ order_item_id: late.order.items[0].order_item_id, quantity: 1 }],
          reason: "x",
        })
      ).status,
    ).toBe(409);

    const cheap = await deliveredOrder(seller, 1_000);
    const ret = await json(
      await post("/returns", cheap.buyer.access_token, {
        order_id: cheap.order.order_id,
        items: [{ order_item_id: cheap.order.items[0].order_item_id, quantity: 1 }],
        reason: "Not needed",
      }),
    );
    const approved = await json(await post(`/returns/${ret.return_id}/approve`, seller.access_token, {}));
    expect(approved).toMatchObject({ status: "refunded", amount: 1_000 });
    expect(approved.refund_id).toMatch(/^ref_/);
  });

  it("pays a manual-schedule seller only when asked, after the admin-set holding period; the platform sees its commissions", async () => {
    const admin = await adminUser();
    const seller = await signup({ role: "seller" });
    expect(
      (
        await call("PUT", `/admin/sellers/${seller.user.user_id}/hold-days`, {
          token: admin.access_token,
          body: { hold_days: 0 },
        })
      ).status,
    ).toBe(200);
    await call("PATCH", "/seller/settings", { token: seller.access_token, body: { payout_schedule: "manual" } });
    await call("PUT", "/seller/payout-account", { token: seller.access_token, body: { account_id: "acct_1Manual77" } });
    await deliveredOrder(seller, 3_000);
    // Available at once (no hold), yet the cron leaves a manual seller alone.
    await settled(seller, (b) => expect(b.available).toBe(2_700));
    await runPayouts(env, async () => ({ ok: true, ref: "tr_cron" }));
    expect((await balanceOf(seller)).paid_out).toBe(0);
    const asked = await json(await call("POST", "/seller/payouts", { token: seller.access_token }));
    expect(asked.paid).toBe(1);
    expect(await balanceOf(seller)).toMatchObject({ available: 0, paid_out: 2_700 });
    const rev = await json(await call("GET", "/admin/revenue", { token: admin.access_token }));
    expect(rev.commissions).toBeGreaterThanOrEqual(300);
  });
});

describe("the whole flow, with the test provider and with Stripe's wire-format double", () => {
  it.each(["test", "stripe"])(
    "sale, delivery, return, approval, receipt, refund, restock, ledger and payout (%s)",
    async (providerName) => {
      const { overridePaymentProvider } = await import("../src/services/payments");
      const { StripePaymentProvider } = await import("../src/services/payments/stripe-provider");
      const { StripeDouble } = await import("./stripe-double");
      const double = new StripeDouble();
      if (providerName === "stripe")
        overridePaymentProvider(
          new StripePaymentProvider("sk_test_double", "http://127.0.0.1:9" /* never dialled */, double.fetch),
        );
      try {
        const admin = await adminUser();
        const seller = await signup({ role: "seller" });
        await call("PUT", `/admin/sellers/${seller.user.user_id}/hold-days`, {
          token: admin.access_token,
          body: { hold_days: 0 },
        });
        await call("PUT", "/seller/payout-account", {
          token: seller.access_token,
          body: { account_id: "acct_1Whole9" },
        });
        const product = await createProduct(seller, categoryId, { price: 2_000, stock_available: 5 });
        const buyer = await signup();
        await call("POST", "/cart/add", {
          token: buyer.access_token,
          body: { product_id: product.product_id, quantity: 2 },
        });
        const order = await json(
          await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
        );
        expect(order.status).toBe("paid");
        await post(`/orders/${order.order_id}/status`, seller.access_token, {
          status: "shipped",
          tracking_number: "1ZW",
        });
        await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "delivered" });
        await settled(seller, (b) => expect(b.available).toBe(3_600));

        const item = order.items[0].order_item_id;
        const ret = await json(
          await post("/returns", buyer.access_token, {
            order_id: order.order_id,
            items: [{ order_item_id: item, quantity: 1 }],
            reason: "One is enough",
          }),
        );
        await post(`/returns/${ret.return_id}/approve`, seller.access_token, {});
        await post(`/returns/${ret.return_id}/tracking`, buyer.access_token, { tracking_number: "1ZBACK" });
        const done = await json(
          await post(`/returns/${ret.return_id}/receive`, seller.access_token, {
            items: [{ order_item_id: item, quantity: 1, condition: "sellable" }],
          }),
        );
        expect(done).toMatchObject({ status: "refunded", amount: 2_000 });
        expect(
          (await json(await call("GET", `/inventory/${product.product_id}`, { token: seller.access_token })))
            .stock_available,
        ).toBe(4);
        // The refund comes off the seller's side: 1,800 of the 2,000 (the platform gives back its 200).
        await settled(seller, (b) => expect(b.available).toBe(1_800));
        const kinds = (await json(await call("GET", "/seller/ledger", { token: seller.access_token }))).data.map(
          (e: any) => `${e.kind}:${e.amount}`,
        );
        expect(kinds).toEqual(expect.arrayContaining(["sale:3600", "refund:-1800"]));

        const paid = await json(await call("POST", "/seller/payouts", { token: seller.access_token }));
        expect(paid.paid).toBe(1);
        expect(await balanceOf(seller)).toMatchObject({ available: 0, paid_out: 1_800 });
        if (providerName === "stripe") {
          expect([...double.intents.values()].some((pi) => pi.amount === 4_000 && pi.status === "succeeded")).toBe(
            true,
          );
          expect([...double.refunds.values()].some((r) => r.amount === 2_000)).toBe(true);
          expect([...double.transfers.values()].find((t) => t.destination === "acct_1Whole9")?.amount).toBe(1_800);
        }
      } finally {
        overridePaymentProvider(null);
      }
    },
  );
});

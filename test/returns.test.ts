import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { onOrderShard } from "../src/db/shards";
import { call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

let categoryId: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Returns"))).category_id;
});
const post = (path: string, token: string, body: unknown) =>
  call("POST", path, { token, body, headers: { "idempotency-key": unique("k") } });
const stockOf = async (seller: TestUser, productId: string) =>
  (await json(await call("GET", `/inventory/${productId}`, { token: seller.access_token }))).stock_available;

/** A delivered order of `quantity` units of one product, 1,000 each. */
async function delivered(quantity = 2, status: "delivered" | "paid" | "shipped" = "delivered") {
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, categoryId, { price: 1000, stock_available: 5 });
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity } });
  const order = await json(
    await post("/orders", buyer.access_token, { payment_method: "pm_card_visa", shipping_address: "1 Main St" }),
  );
  if (status !== "paid")
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "shipped", tracking_number: "1ZR" });
  if (status === "delivered")
    await post(`/orders/${order.order_id}/status`, seller.access_token, { status: "delivered" });
  return { seller, product, buyer, order, item: order.items[0] };
}

describe("returns (RMA)", () => {
  it("runs request, approval, tracking and receipt: sellable units restock, damaged do not, and the refund is issued then", async () => {
    const { seller, product, buyer, order, item } = await delivered(2);
    expect(await stockOf(seller, product.product_id)).toBe(3);
    const res = await post("/returns", buyer.access_token, {
      order_id: order.order_id,
      items: [{ order_item_id: item.order_item_id, quantity: 2 }],
      reason: "Too small",
    });
    expect(res.status).toBe(201);
    const ret = await json(res);
    expect(ret).toMatchObject({ status: "requested", order_id: order.order_id, refund_id: null });
    // The same units twice, or more than delivered: 409.
    expect(
      (
        await post("/returns", buyer.access_token, {
          order_id: order.order_id,
          items: [{ order_item_id: item.order_item_id, quantity: 1 }],
          reason: "again",
        })
      ).status,
    ).toBe(409);

    const stranger = await signup({ role: "seller" });
    expect((await post(`/returns/${ret.return_id}/approve`, stranger.access_token, {})).status).toBe(404);
    expect((await post(`/returns/${ret.return_id}/approve`, buyer.access_token, {})).status).toBe(403);
    const approved = await json(
      await post(`/returns/${ret.return_id}/approve`, seller.access_token, { note: "Send it back" }),
    );
    expect(approved.status).toBe("approved");
    expect(approved.label).toContain(ret.return_id);
    expect(
      (await post(`/returns/${ret.return_id}/tracking`, seller.access_token, { tracking_number: "1ZBACK" })).status,
    ).toBe(403);
    expect(
      (await json(await post(`/returns/${ret.return_id}/tracking`, buyer.access_token, { tracking_number: "1ZBACK" })))
        .status,
    ).toBe("in_transit");

    const received = await post(`/returns/${ret.return_id}/receive`, seller.access_token, {
      items: [
        { order_item_id: item.order_item_id, quantity: 1, condition: "sellable" },
        { order_item_id: item.order_item_id, quantity: 1, condition: "damaged" },
      ],
    });
    expect(received.status).toBe(200);
    const done = await json(received);
    expect(done).toMatchObject({ status: "refunded", amount: 2000 });
    expect(done.refund_id).toMatch(/^ref_/);
    expect(await stockOf(seller, product.product_id)).toBe(4);
    const refunds = (await json(await call("GET", "/payments/refunds", { token: buyer.access_token }))).data;
    expect(refunds.find((r: any) => r.refund_id === done.refund_id)).toMatchObject({
      status: "succeeded",
      amount: 2000,
    });
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).status).toBe(
      "refunded",
    );
    // A second receipt does nothing twice.
    expect(
      (
        await post(`/returns/${ret.return_id}/receive`, seller.access_token, {
          items: [{ order_item_id: item.order_item_id, quantity: 1, condition: "sellable" }],
        })
      ).status,
    ).toBe(409);

    // Listed for both sides; hidden from others.
    expect(
      (await json(await call("GET", "/returns", { token: buyer.access_token }))).data.map((r: any) => r.return_id),
    ).toContain(ret.return_id);
    expect(
      (await json(await call("GET", "/returns?status=refunded", { token: seller.access_token }))).data.map(
        (r: any) => r.return_id,
      ),
    ).toContain(ret.return_id);
    expect(
      (await json(await call("GET", "/returns", { token: stranger.access_token }))).data.map((r: any) => r.return_id),
    ).not.toContain(ret.return_id);
    expect((await call("GET", `/returns/${ret.return_id}`, { token: stranger.access_token })).status).toBe(404);
  });

  it("rejects with a note, and then the units may be asked for again", async () => {
    const { seller, buyer, order, item } = await delivered(1);
    const ret = await json(
      await post("/returns", buyer.access_token, {
        order_id: order.order_id,
        items: [{ order_item_id: item.order_item_id, quantity: 1 }],
        reason: "Changed my mind",
      }),
    );
    expect((await post(`/returns/${ret.return_id}/reject`, seller.access_token, {})).status).toBe(400);
    const rejected = await json(await post(`/returns/${ret.return_id}/reject`, seller.access_token, { note: "Worn" }));
    expect(rejected).toMatchObject({ status: "rejected", note: "Worn" });
    expect((await post(`/returns/${ret.return_id}/approve`, seller.access_token, {})).status).toBe(409);
    expect(
      (
        await post("/returns", buyer.access_token, {
          order_id: order.order_id,
          items: [{ order_item_id: item.order_item_id, quantity: 1 }],
          reason: "Really",
        })
      ).status,
    ).toBe(201);
  });

  it("refuses a return of an undelivered line or past the 30-day window", async () => {
    const shipped = await delivered(1, "shipped");
    expect(
      (
        await post("/returns", shipped.buyer.access_token, {
          order_id: shipped.order.order_id,
          items: [{ order_item_id: shipped.item.order_item_id, quantity: 1 }],
          reason: "x",
        })
      ).status,
    ).toBe(409);
    const old = await delivered(1);
    await onOrderShard(env, old.order.order_id)
      .DB.prepare("UPDATE orders SET delivered_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 31 * 86_400_000).toISOString(), old.order.order_id)
      .run();
    expect(
      (
        await post("/returns", old.buyer.access_token, {
          order_id: old.order.order_id,
          items: [{ order_item_id: old.item.order_item_id, quantity: 1 }],
          reason: "x",
        })
      ).status,
    ).toBe(409);
    const other = await signup();
    expect(
      (
        await post("/returns", other.access_token, {
          order_id: old.order.order_id,
          items: [{ order_item_id: old.item.order_item_id, quantity: 1 }],
          reason: "x",
        })
      ).status,
    ).toBe(404);
  });
});

describe("POST /payments/refunds with returns", () => {
  it("on a delivered order opens a return: the refund is pending until the parcel is received", async () => {
    const { seller, buyer, order, item } = await delivered(1);
    const res = await post("/payments/refunds", buyer.access_token, { order_id: order.order_id, reason: "Broken" });
    expect(res.status).toBe(201);
    const pending = await json(res);
    expect(pending).toMatchObject({ status: "pending", amount: 1000 });
    expect(pending.return_id).toMatch(/^ret_/);
    expect(
      (await json(await call("GET", `/orders/${order.order_id}`, { token: buyer.access_token }))).refunded_amount,
    ).toBe(0);
    await post(`/returns/${pending.return_id}/approve`, seller.access_token, {});
    await post(`/returns/${pending.return_id}/tracking`, buyer.access_token, { tracking_number: "1ZRET" });
    const done = await json(
      await post(`/returns/${pending.return_id}/receive`, seller.access_token, {
        items: [{ order_item_id: item.order_item_id, quantity: 1, condition: "sellable" }],
      }),
    );
    expect(done.refund_id).toBe(pending.refund_id);
    const refunds = (await json(await call("GET", "/payments/refunds", { token: buyer.access_token }))).data;
    expect(refunds.filter((r: any) => r.refund_id === pending.refund_id)).toEqual([
      expect.objectContaining({ status: "succeeded", amount: 1000 }),
    ]);
  });

  it("before anything shipped refunds at once, as before", async () => {
    const { buyer, order } = await delivered(1, "paid");
    const res = await post("/payments/refunds", buyer.access_token, {
      order_id: order.order_id,
      reason: "Ordered by mistake",
    });
    expect(res.status).toBe(201);
    expect((await json(res)).status).toBe("succeeded");
  });

  it("lets a seller refund their own lines, and no more", async () => {
    const a = await delivered(1);
    const res = await post("/payments/refunds", a.seller.access_token, {
      order_id: a.order.order_id,
      amount: 400,
      reason: "Goodwill",
    });
    expect(res.status).toBe(201);
    expect((await json(res)).status).toBe("succeeded");
    expect(
      (
        await post("/payments/refunds", a.seller.access_token, {
          order_id: a.order.order_id,
          amount: 700,
          reason: "Too much",
        })
      ).status,
    ).toBe(409);
    const stranger = await signup({ role: "seller" });
    expect(
      (await post("/payments/refunds", stranger.access_token, { order_id: a.order.order_id, amount: 100, reason: "x" }))
        .status,
    ).toBe(404);
  });
});

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CartLine } from "../src/durable/cart";
import { unique } from "./helpers";

/** What the object's storage holds, in the cart's order: the truth its kept copy must match. */
const stored = (stub: DurableObjectStub<import("../src/durable/cart").CartObject>) =>
  runInDurableObject(stub, (_obj, ctx) =>
    ctx.storage.sql
      .exec<CartLine>(
        "SELECT cart_item_id, product_id, variant_id, quantity, price_when_added, added_at FROM items ORDER BY added_at, product_id, variant_id",
      )
      .toArray(),
  );

describe("cart object: the lines it keeps in memory", () => {
  it("match its storage after every kind of change, in the cart's order", async () => {
    const cartId = `crt_lines_${unique()}`;
    const stub = env.CART.get(env.CART.idFromName(`guest:${cartId}`));
    const line = (p: string, v: string, quantity: number) => ({
      product_id: p,
      variant_id: v,
      cart_item_id: `cit_${p}_${v}`,
      quantity,
      price: 100,
      maxQuantity: 50,
    });
    const check = async () => {
      const state = await stub.state(cartId, null);
      expect(state.lines).toEqual(await stored(stub));
      return state.lines.map((l) => `${l.product_id}/${l.variant_id}x${l.quantity}`);
    };
    await stub.add(cartId, null, line("prd_b", "var_1", 1));
    await stub.add(cartId, null, line("prd_a", "var_1", 2));
    await stub.add(cartId, null, line("prd_b", "var_1", 3)); // the same line: quantity adds
    await stub.add(cartId, null, line("prd_b", "var_2", 1));
    expect((await check()).sort()).toEqual(["prd_a/var_1x2", "prd_b/var_1x4", "prd_b/var_2x1"]);
    expect(await stub.add(cartId, null, line("prd_a", "var_1", 49))).toMatchObject({
      ok: false,
      code: "quantity_exceeds_stock",
    });
    await stub.remove(cartId, null, "prd_b", "var_1", 1);
    await stub.remove(cartId, null, "prd_b", "var_2");
    expect((await check()).sort()).toEqual(["prd_a/var_1x2", "prd_b/var_1x3"]);
    // A merge brings lines with their own (older) times: they take their place in the order.
    await stub.merge(
      cartId,
      null,
      [
        {
          cart_item_id: "cit_old",
          product_id: "prd_c",
          variant_id: "var_1",
          quantity: 1,
          price_when_added: 5,
          added_at: 1,
        },
      ],
      {},
      [],
    );
    expect((await check())[0]).toBe("prd_c/var_1x1");
    expect(await stub.itemCount()).toBe(6);
    await stub.clear();
    expect(await check()).toEqual([]);
    expect(await stub.itemCount()).toBe(0);
  });

  it("refuses the 101st distinct line", async () => {
    const cartId = `crt_lines_${unique()}`;
    const stub = env.CART.get(env.CART.idFromName(`guest:${cartId}`));
    for (let i = 0; i < 100; i++) {
      const r = await stub.add(cartId, null, {
        product_id: `prd_${String(i).padStart(3, "0")}`,
        variant_id: "var_1",
        cart_item_id: `cit_${i}`,
        quantity: 1,
        price: 100,
        maxQuantity: 5,
      });
      expect(r.ok).toBe(true);
    }
    expect(
      await stub.add(cartId, null, {
        product_id: "prd_100",
        variant_id: "var_1",
        cart_item_id: "cit_100",
        quantity: 1,
        price: 100,
        maxQuantity: 5,
      }),
    ).toMatchObject({ ok: false, code: "too_many_lines" });
    expect((await stub.state(cartId, null)).lines).toHaveLength(100);
  });

  it("keeps its meta row through a checkout's lease, its end, the clear and a summary flush, matching storage without reading it again", async () => {
    const userId = `usr_${unique()}`;
    const cartId = `crt_user_${userId}`;
    const stub = env.CART.get(env.CART.idFromName(`user:${userId}`));
    type Kept = { metaRow: unknown; readMeta(): unknown };
    // The kept row, if any, and what storage holds: every change must leave them equal.
    const kept = () =>
      runInDurableObject(stub, (obj) => {
        const o = obj as unknown as Kept;
        return { kept: o.metaRow, stored: o.readMeta() };
      });
    const line = {
      product_id: "prd_a",
      variant_id: "var_1",
      cart_item_id: "cit_a",
      quantity: 1,
      price: 100,
      maxQuantity: 5,
    };
    await stub.add(cartId, userId, line);
    const check = async () => {
      const k = await kept();
      expect(k.kept).toBeDefined(); // still kept: the change was mirrored, not dropped
      expect(k.kept).toEqual(k.stored);
    };
    await stub.state(cartId, userId);
    await check();
    expect(await stub.beginCheckout(cartId, userId, "ord_1")).toMatchObject({ ok: true });
    await check();
    expect(await stub.beginCheckout(cartId, userId, "ord_2")).toMatchObject({ ok: false });
    await stub.endCheckout("ord_1");
    await check();
    expect(await stub.beginCheckout(cartId, userId, "ord_2")).toMatchObject({ ok: true });
    await stub.clear("ord_2");
    await check();
    expect((await stub.state(cartId, userId)).lines).toEqual([]);
    await stub.add(cartId, userId, line);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // the summary flush
    await check();
  });
});

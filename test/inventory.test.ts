import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ApiError } from "../src/lib/errors";
import {
  adjustStock,
  commitAll,
  getStock,
  releaseAll,
  reserveAll,
  stockProjectionStatements,
  syncProjection,
} from "../src/services/inventory";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

async function product(stock: number) {
  const cat = await createCategory(`Inv ${unique()}`);
  const seller = await signup({ role: "seller" });
  const p = await createProduct(seller, cat.category_id, { stock_available: stock });
  return { id: p.product_id as string, seller };
}

const stub = (id: string) => env.INVENTORY.get(env.INVENTORY.idFromName(id));

describe("inventory object", () => {
  it("200 concurrent reservations of 1 unit against stock 50 give exactly 50, and the projection reaches 0", async () => {
    const { id } = await product(50);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => reserveAll(env, `rsv_race_${i}`, [{ product_id: id, quantity: 1 }])),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter(
      (r) => r.status === "rejected" && (r.reason as ApiError).code === "out_of_stock",
    ).length;
    expect(ok).toBe(50);
    expect(refused).toBe(150);
    expect(await getStock(env, id)).toMatchObject({ available: 0, reserved: 50 });
    await vi.waitFor(async () => {
      const res = await json(await call("GET", `/products/${id}`));
      expect(res.stock_available).toBe(0);
    });
  });

  it("a retried reserve with the same id reserves once; commit and release are idempotent", async () => {
    const { id } = await product(10);
    await reserveAll(env, "rsv_retry", [{ product_id: id, quantity: 3 }]);
    await reserveAll(env, "rsv_retry", [{ product_id: id, quantity: 3 }]);
    expect(await getStock(env, id)).toMatchObject({ available: 7, reserved: 3 });
    await commitAll(env, "rsv_retry", [id]);
    await commitAll(env, "rsv_retry", [id]);
    expect(await getStock(env, id)).toMatchObject({ available: 7, reserved: 0 });
    // Releasing a committed hold is refused by the object; releaseAll is best-effort and changes nothing.
    await releaseAll(env, "rsv_retry", [id]);
    expect(await getStock(env, id)).toMatchObject({ available: 7, reserved: 0 });

    await reserveAll(env, "rsv_rel", [{ product_id: id, quantity: 2 }]);
    await releaseAll(env, "rsv_rel", [id]);
    await releaseAll(env, "rsv_rel", [id]);
    expect(await getStock(env, id)).toMatchObject({ available: 7, reserved: 0 });
    // A reserve arriving after its compensation (a late retry) holds nothing.
    await releaseAll(env, "rsv_late", [id]);
    await reserveAll(env, "rsv_late", [{ product_id: id, quantity: 1 }]);
    expect(await getStock(env, id)).toMatchObject({ available: 7, reserved: 0 });
  });

  it("a checkout's hold is not written to D1 by the object: the commit hands its level to the caller's batch, a release leaves D1 as it was", async () => {
    const { id } = await product(10);
    const d1Level = async () =>
      (await env.DB.prepare("SELECT stock_available AS n FROM products WHERE id = ?").bind(id).first<{ n: number }>())!
        .n;
    // A declined card: the hold comes and goes, and D1 never showed it.
    await reserveAll(env, "rsv_dropped", [{ product_id: id, quantity: 2 }], 60_000, { awaitProjection: false });
    expect(await getStock(env, id)).toMatchObject({ available: 8, reserved: 2 });
    expect(await d1Level()).toBe(10);
    await releaseAll(env, "rsv_dropped", [id]);
    await syncProjection(env, [id]);
    expect(await d1Level()).toBe(10);
    // A paid one: the hold, then the commit, which hands the level over instead of writing it.
    await reserveAll(env, "rsv_handover", [{ product_id: id, quantity: 3 }], 60_000, { awaitProjection: false });
    expect(await d1Level()).toBe(10);
    const levels = await commitAll(env, "rsv_handover", [id], { handOver: true });
    expect(levels).toEqual([{ productId: id, variantId: expect.any(String), available: 7, seq: expect.any(Number) }]);
    // The object counts the level as projected: a sync writes nothing, D1 still has the opening stock...
    await syncProjection(env, [id]);
    expect(await d1Level()).toBe(10);
    // ...until the caller's batch lands; an older level written late never overwrites a newer one.
    await env.DB.batch(stockProjectionStatements(env, levels));
    expect(await d1Level()).toBe(7);
    await env.DB.batch(stockProjectionStatements(env, [{ ...levels[0], available: 9, seq: levels[0].seq - 1 }]));
    expect(await d1Level()).toBe(7);
    // A retried commit hands the same level over again; the next change of its own is written by the object.
    expect(await commitAll(env, "rsv_handover", [id], { handOver: true })).toEqual(levels);
    await adjustStock(env, id, unique("adj"), 5);
    expect(await d1Level()).toBe(12);
  });

  it("a checkout's reserve and commit cost the object 8 SQLite statements: each change's update answers with the level", async () => {
    const { id } = await product(10);
    const warm = async (rid: string) => {
      await reserveAll(env, rid, [{ product_id: id, quantity: 1 }], 60_000, { awaitProjection: false });
      return commitAll(env, rid, [id], { handOver: true });
    };
    await warm("rsv_warm"); // loaded, its alarm armed: what every later checkout meets
    const seen: string[] = [];
    await runInDurableObject(stub(id), (_obj, ctx) => {
      const sql = ctx.storage.sql as unknown as { exec: (query: string, ...b: unknown[]) => unknown };
      const exec = sql.exec.bind(sql);
      sql.exec = (query, ...b) => {
        seen.push(query);
        return exec(query, ...b);
      };
    });
    const [level] = await warm("rsv_counted");
    // The ledger's find, hold, find and state; the pool read once; two updates that return the level;
    // the hand-over's mark. 17 before the updates answered with the level.
    expect(seen).toHaveLength(8);
    expect(seen.filter((q) => /^SELECT .* FROM stock/.test(q))).toHaveLength(1);
    expect(level).toMatchObject({ available: 8 });
    expect(await getStock(env, id)).toMatchObject({ available: 8, reserved: 0 });
  });

  it("an expired reservation returns its stock (alarm) and can no longer be committed", async () => {
    const { id } = await product(5);
    await reserveAll(env, "rsv_exp", [{ product_id: id, quantity: 4 }], 1000);
    expect(await getStock(env, id)).toMatchObject({ available: 1, reserved: 4 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    const state = await runInDurableObject(stub(id), (_obj, ctx) =>
      ctx.storage.sql.exec<{ available: number; reserved: number }>("SELECT available, reserved FROM stock").one(),
    );
    expect(state).toMatchObject({ available: 5, reserved: 0 });
    await expect(commitAll(env, "rsv_exp", [id])).rejects.toMatchObject({ code: "reservation_expired" });
  });

  it("keeps its state across a fresh stub (the object restarted)", async () => {
    const { id } = await product(9);
    await reserveAll(env, "rsv_evict", [{ product_id: id, quantity: 2 }]);
    await adjustStock(env, id, "adj_evict", 5);
    const fresh = env.INVENTORY.get(env.INVENTORY.idFromString(env.INVENTORY.idFromName(id).toString()));
    expect(await fresh.get(id)).toMatchObject({ ok: true, available: 12, reserved: 2 });
    await commitAll(env, "rsv_evict", [id]);
    expect(await getStock(env, id)).toMatchObject({ available: 12, reserved: 0 });
  });

  it("a multi-product reservation that fails on the last product leaves every product as it was", async () => {
    const a = await product(5);
    const b = await product(5);
    const c = await product(1);
    const lines = [
      { product_id: a.id, quantity: 2 },
      { product_id: b.id, quantity: 3 },
      { product_id: c.id, quantity: 2 },
    ];
    await expect(reserveAll(env, "rsv_multi", lines)).rejects.toMatchObject({ code: "out_of_stock" });
    expect(await getStock(env, a.id)).toMatchObject({ available: 5, reserved: 0 });
    expect(await getStock(env, b.id)).toMatchObject({ available: 5, reserved: 0 });
    expect(await getStock(env, c.id)).toMatchObject({ available: 1, reserved: 0 });
  });

  it("reports an unknown product as not found", async () => {
    await expect(getStock(env, "prd_NOPE")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("POST /inventory/{product_id}", () => {
  it("restocks for the seller, refuses others, never goes below what checkouts hold, and honours Idempotency-Key", async () => {
    const { id, seller } = await product(3);
    const res = await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: 7 } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      product_id: id,
      variant_id: `var_${id.slice(4)}`,
      stock_available: 10,
      reserved: 0,
    });

    const headers = { "Idempotency-Key": `restock-${unique()}` };
    await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: 5 }, headers });
    const replay = await call("POST", `/inventory/${id}`, {
      token: seller.access_token,
      body: { quantity: 5 },
      headers,
    });
    expect((await json(replay)).stock_available).toBe(15);
    expect(await getStock(env, id)).toMatchObject({ available: 15 });

    await reserveAll(env, "rsv_hold", [{ product_id: id, quantity: 10 }]);
    const tooMuch = await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: -6 } });
    expect(tooMuch.status).toBe(409);
    const fine = await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: -5 } });
    expect(await json(fine)).toMatchObject({ stock_available: 0, reserved: 10 });

    const other = await signup({ role: "seller" });
    expect((await call("POST", `/inventory/${id}`, { token: other.access_token, body: { quantity: 1 } })).status).toBe(
      403,
    );
    expect((await call("POST", `/inventory/${id}`, { body: { quantity: 1 } })).status).toBe(401);
    expect((await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: 0 } })).status).toBe(
      400,
    );
    expect(
      (await call("POST", `/inventory/${id}`, { token: seller.access_token, body: { quantity: 1.5 } })).status,
    ).toBe(400);
    expect(
      (await call("POST", `/inventory/prd_NOPE`, { token: seller.access_token, body: { quantity: 1 } })).status,
    ).toBe(404);
  });

  it("PATCH stock_available sets the stock through the object", async () => {
    const { id, seller } = await product(3);
    const res = await call("PATCH", `/products/${id}`, { token: seller.access_token, body: { stock_available: 40 } });
    expect((await json(res)).stock_available).toBe(40);
    expect(await getStock(env, id)).toMatchObject({ available: 40 });
  });

  it("publishes inventory.changed when a product sells out", async () => {
    const { id } = await product(1);
    await reserveAll(env, "rsv_soldout", [{ product_id: id, quantity: 1 }]);
    const level = await getStock(env, id);
    expect(level.available).toBe(0);
    await vi.waitFor(async () => {
      const s = await runInDurableObject(stub(id), (_o, ctx) =>
        ctx.storage.sql
          .exec<{ pending_event: number; projected_seq: number; seq: number }>(
            "SELECT pending_event, projected_seq, seq FROM stock",
          )
          .one(),
      );
      expect(s.pending_event).toBe(0);
      expect(s.projected_seq).toBe(s.seq);
    });
  });
});

describe("seller holds", () => {
  it("holds, commits and releases through HTTP, scoped to the product's seller", async () => {
    const { id, seller } = await product(5);
    const held = await call("POST", `/inventory/${id}/holds`, {
      token: seller.access_token,
      body: { quantity: 2, reservation_id: "quote-1" },
    });
    expect(held.status).toBe(201);
    expect(await json(held)).toMatchObject({
      reservation_id: "quote-1",
      quantity: 2,
      state: "held",
      stock_available: 3,
      reserved: 2,
    });
    const again = await call("POST", `/inventory/${id}/holds`, {
      token: seller.access_token,
      body: { quantity: 2, reservation_id: "quote-1" },
    });
    expect(await json(again)).toMatchObject({ stock_available: 3, reserved: 2 });
    const commit = await call("POST", `/inventory/${id}/holds/quote-1/commit`, { token: seller.access_token });
    expect(await json(commit)).toMatchObject({ stock_available: 3, reserved: 0 });
    const tooMany = await call("POST", `/inventory/${id}/holds`, { token: seller.access_token, body: { quantity: 4 } });
    expect(tooMany.status).toBe(409);
    expect((await json(tooMany)).error.code).toBe("out_of_stock");
    await call("POST", `/inventory/${id}/holds`, {
      token: seller.access_token,
      body: { quantity: 1, reservation_id: "q2" },
    });
    const release = await call("POST", `/inventory/${id}/holds/q2/release`, { token: seller.access_token });
    expect(await json(release)).toMatchObject({ stock_available: 3, reserved: 0 });
    const other = await signup({ role: "seller" });
    expect(
      (await call("POST", `/inventory/${id}/holds`, { token: other.access_token, body: { quantity: 1 } })).status,
    ).toBe(403);
    expect((await call("POST", `/inventory/${id}/holds/nope/commit`, { token: seller.access_token })).status).toBe(404);
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/lib/errors";
import { placeOf } from "../src/lib/hash";
import { configureBuckets, finishHold, getStock, holdStock } from "../src/services/inventory";
import { call, createCategory, createProduct, json, signup, unique } from "./helpers";

/** Hot SKUs: one product's stock spread over N bucket objects (docs/hot-skus.md). */

async function hotProduct(stock: number) {
  const seller = await signup({ role: "seller" });
  const cat = await createCategory(`Hot ${unique()}`);
  const p = await createProduct(seller, cat.category_id, { stock_available: stock });
  return { seller, productId: p.product_id as string };
}

const TTL = 600_000;

/** Holds one unit; the outcome as a status the way the API would answer. */
async function tryHold(productId: string, id: string): Promise<number> {
  try {
    await holdStock(env, productId, id, 1, TTL);
    return 201;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

/** Reservation ids that land in bucket `idx` of `n`. */
function idsIn(idx: number, n: number, count: number, prefix = unique("r")): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (placeOf(`${prefix}-${i}`, n) === idx) out.push(`${prefix}-${i}`);
  return out;
}

describe("hot SKU buckets", () => {
  it("sells exactly the stock under a race spread over 4 buckets, and the total adds up", async () => {
    const { seller, productId } = await hotProduct(50);
    const res = await call("PUT", `/inventory/${productId}/buckets`, {
      token: seller.access_token,
      body: { buckets: 4 },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json(res)).buckets).toBe(4);

    const statuses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => tryHold(productId, `race-${productId}-${i}`)),
    );
    const won = statuses.filter((s) => s === 201).length;
    expect(won).toBe(50);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    // Buckets report to the product's object moments later; then the total is exact.
    await vi.waitFor(async () => expect(await getStock(env, productId)).toMatchObject({ available: 0, reserved: 50 }), {
      timeout: 3000,
      interval: 50,
    });
  });

  it("rebalances: a bucket that runs dry takes back what the others hold unreserved", async () => {
    const { productId } = await hotProduct(20);
    await configureBuckets(env, productId, 4);
    // One hold in each of buckets 0-2: each is granted a share of the pool and keeps the rest unreserved.
    for (const idx of [0, 1, 2]) expect(await tryHold(productId, idsIn(idx, 4, 1)[0])).toBe(201);
    // Everything else through bucket 3: it must end up selling all 17 remaining units.
    const rest = idsIn(3, 4, 18);
    const statuses: number[] = [];
    for (const id of rest) statuses.push(await tryHold(productId, id));
    expect(statuses.filter((s) => s === 201)).toHaveLength(17);
    expect(statuses.at(-1)).toBe(409);
    await vi.waitFor(async () => expect(await getStock(env, productId)).toMatchObject({ available: 0, reserved: 20 }), {
      timeout: 3000,
      interval: 50,
    });
  });

  it("commits, releases and retries through the reservation's bucket, also after a resize", async () => {
    const { productId } = await hotProduct(10);
    await configureBuckets(env, productId, 8);
    const [a, b] = [unique("hold"), unique("hold")];
    await holdStock(env, productId, a, 2, TTL);
    await holdStock(env, productId, a, 2, TTL); // a retry holds once
    await holdStock(env, productId, b, 3, TTL);
    await vi.waitFor(async () => expect(await getStock(env, productId)).toMatchObject({ available: 5, reserved: 5 }), {
      timeout: 3000,
      interval: 50,
    });

    // Back to one object: the holds stay in their buckets and are still found.
    await configureBuckets(env, productId, 1);
    await finishHold(env, productId, a, "commit");
    await finishHold(env, productId, b, "release");
    await finishHold(env, productId, b, "release"); // idempotent
    await vi.waitFor(async () => expect(await getStock(env, productId)).toMatchObject({ available: 8, reserved: 0 }), {
      timeout: 3000,
      interval: 50,
    });
    // The pool now holds everything unreserved: one object sells the rest.
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => tryHold(productId, `after-${productId}-${i}`)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(8);
  });

  it("a release that arrives before its reserve blocks that reserve in the bucket it would use", async () => {
    const { productId } = await hotProduct(5);
    await configureBuckets(env, productId, 4);
    const id = unique("late");
    await finishHold(env, productId, id, "release");
    const r = await holdStock(env, productId, id, 1, TTL);
    expect(r.state).toBe("released");
    await vi.waitFor(async () => expect(await getStock(env, productId)).toMatchObject({ available: 5, reserved: 0 }), {
      timeout: 3000,
      interval: 50,
    });
  });

  it("sheds load: a call that waited past its deadline is refused, and too many waiting get 429 at once", async () => {
    const { productId } = await hotProduct(1000);
    const stub = env.INVENTORY.get(env.INVENTORY.idFromName(productId));
    const late = await stub.reserve(productId, unique("late"), 1, TTL, true, Date.now() - 1);
    expect(late).toMatchObject({ ok: false, code: "overloaded" });

    const statuses = await Promise.all(
      Array.from({ length: 400 }, (_, i) => tryHold(productId, `flood-${productId}-${i}`)),
    );
    const won = statuses.filter((s) => s === 201).length;
    const shed = statuses.filter((s) => s === 429).length;
    expect(won + shed).toBe(400);
    expect(shed).toBeGreaterThan(0);
    const level = await getStock(env, productId);
    expect(level.reserved).toBe(won);
    expect(level.available).toBe(1000 - won);
  });

  it("refuses a bucket count out of range, and only the seller or an admin may set it", async () => {
    const { seller, productId } = await hotProduct(5);
    const other = await signup({ role: "seller" });
    expect(
      (await call("PUT", `/inventory/${productId}/buckets`, { token: other.access_token, body: { buckets: 4 } }))
        .status,
    ).toBe(403);
    expect(
      (await call("PUT", `/inventory/${productId}/buckets`, { token: seller.access_token, body: { buckets: 0 } }))
        .status,
    ).toBe(400);
    expect(
      (await call("PUT", `/inventory/${productId}/buckets`, { token: seller.access_token, body: { buckets: 65 } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call("PUT", `/inventory/${productId}/buckets`, {
          token: seller.access_token,
          body: { buckets: 2, extra: 1 },
        })
      ).status,
    ).toBe(400);
  });
});

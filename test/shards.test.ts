import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eachOrderShard, onKeyShard, onOrderShard, onOwnerShard, onUserShard, orderDatabases } from "../src/db/shards";
import { placeOf } from "../src/lib/hash";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/**
 * Orders and users over two databases (the tests run with ORDER_SHARDS=2):
 * each order with its items and payment, each user with their refresh tokens,
 * in the database its id hashes to; lists by owner through order_index and
 * logins by email through user_keys, in the database of that key, never a scan.
 */

const address = { name: "Ada Buyer", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" };

async function buy(buyer: TestUser, productIds: string[]) {
  for (const product_id of productIds) {
    const res = await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id, quantity: 1 } });
    expect(res.status).toBe(200);
  }
  const res = await call("POST", "/orders", {
    token: buyer.access_token,
    body: { payment_method: "pm_card_visa", shipping_address: address },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

describe("orders over two databases", () => {
  it("runs with two order databases", () => {
    expect(orderDatabases(env)).toHaveLength(2);
    expect(eachOrderShard(env).map((e) => e.DB)).toEqual([env.DB, env.ORDERS_DB_1]);
  });

  it("keeps each order whole in its own database, and lists buyers' and sellers' orders across both", async () => {
    const cat = await createCategory(`Shards ${unique()}`);
    const [sellerA, sellerB] = [await signup({ role: "seller" }), await signup({ role: "seller" })];
    const pa = await createProduct(sellerA, cat.category_id, { stock_available: 100, price: 1000 });
    const pb = await createProduct(sellerB, cat.category_id, { stock_available: 100, price: 2000 });
    const buyers = await Promise.all(Array.from({ length: 4 }, () => signup()));
    const placed: { order_id: string; buyer: TestUser }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const b of buyers)
        placed.push({
          order_id: (await buy(b, round === 1 ? [pa.product_id] : [pa.product_id, pb.product_id])).order_id,
          buyer: b,
        });
    }

    // Each paid order's stock levels were written with it (or, from the other database, beside it):
    // the catalog shows them as soon as the orders are answered, with nothing left to flush.
    const level = async (id: string) =>
      (await env.DB.prepare("SELECT stock_available AS n FROM products WHERE id = ?").bind(id).first<{ n: number }>())!
        .n;
    expect(await level(pa.product_id)).toBe(100 - 12);
    expect(await level(pb.product_id)).toBe(100 - 8);

    // Twelve orders land in both databases, each whole where its id says, and nowhere else.
    const shardsUsed = new Set(placed.map((p) => placeOf(p.order_id, 2)));
    expect(shardsUsed.size).toBe(2);
    for (const { order_id } of placed) {
      const home = onOrderShard(env, order_id).DB;
      const other = home === env.DB ? env.ORDERS_DB_1 : env.DB;
      expect(await home.prepare("SELECT status FROM orders WHERE id = ?").bind(order_id).first()).toMatchObject({
        status: "paid",
      });
      expect(
        (await home
          .prepare("SELECT COUNT(*) AS n FROM order_items WHERE order_id = ?")
          .bind(order_id)
          .first<{ n: number }>())!.n,
      ).toBeGreaterThan(0);
      expect(await home.prepare("SELECT 1 FROM payments WHERE order_id = ?").bind(order_id).first()).not.toBeNull();
      expect(await other.prepare("SELECT 1 FROM orders WHERE id = ?").bind(order_id).first()).toBeNull();
      expect(await other.prepare("SELECT 1 FROM order_items WHERE order_id = ?").bind(order_id).first()).toBeNull();
    }

    // A buyer's list, newest first, paged, from their index.
    const b0 = buyers[0];
    const mine = placed
      .filter((p) => p.buyer === b0)
      .map((p) => p.order_id)
      .reverse();
    const page1 = await json(await call("GET", "/orders?limit=2", { token: b0.access_token }));
    const page2 = await json(
      await call("GET", `/orders?limit=2&cursor=${page1.next_cursor}`, { token: b0.access_token }),
    );
    expect([...page1.data, ...page2.data].map((o: any) => o.order_id)).toEqual(mine);
    expect(page2.next_cursor).toBeNull();

    // Seller B is in 8 of the 12 orders (not round 1) and sees only its own items.
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await json(
        await call("GET", `/seller/orders?limit=3${cursor ? `&cursor=${cursor}` : ""}`, {
          token: sellerB.access_token,
        }),
      );
      seen.push(...res.data);
      cursor = res.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((o) => o.order_id)).size).toBe(8);
    for (const o of seen) expect(o.items.every((i: any) => i.seller_id === sellerB.user.user_id)).toBe(true);
    const filtered = await json(
      await call("GET", "/seller/orders?status=paid&limit=50", { token: sellerA.access_token }),
    );
    expect(filtered.data).toHaveLength(12);

    // The lists came from the index, kept in each owner's database.
    for (const owner of [b0.user.user_id, sellerB.user.user_id]) {
      const { DB } = onOwnerShard(env, owner);
      expect(
        (await DB.prepare("SELECT COUNT(*) AS n FROM order_index WHERE owner_id = ?")
          .bind(owner)
          .first<{ n: number }>())!.n,
      ).toBe(owner === b0.user.user_id ? 3 : 8);
    }

    // Another buyer's order is still a 404 wherever it lives.
    const foreign = placed.find((p) => p.buyer !== b0)!;
    expect((await call("GET", `/orders/${foreign.order_id}`, { token: b0.access_token })).status).toBe(404);
    expect((await call("GET", `/orders/${foreign.order_id}`, { token: foreign.buyer.access_token })).status).toBe(200);
  });
});

describe("users over two databases", () => {
  it("places each user in one database and finds them by email and by refresh token", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => signup()));
    expect(new Set(users.map((u) => placeOf(u.user.user_id, 2))).size).toBe(2);
    for (const u of users) {
      const home = onUserShard(env, u.user.user_id).DB;
      const other = home === env.DB ? env.ORDERS_DB_1 : env.DB;
      expect(await home.prepare("SELECT 1 FROM users WHERE id = ?").bind(u.user.user_id).first()).not.toBeNull();
      expect(await other.prepare("SELECT 1 FROM users WHERE id = ?").bind(u.user.user_id).first()).toBeNull();
      const key = `email:${u.user.email}`;
      expect(
        await onKeyShard(env, key).DB.prepare("SELECT user_id FROM user_keys WHERE key = ?").bind(key).first(),
      ).toEqual({ user_id: u.user.user_id });
      const login = await call("POST", "/auth/login", {
        body: { email: u.user.email.toUpperCase(), password: "s3cret-passw0rd" },
      });
      expect(login.status).toBe(200);
      const rotated = await call("POST", "/auth/refresh", {
        body: { refresh_token: (await json(login)).refresh_token },
      });
      expect(rotated.status).toBe(200);
    }
  });

  it("keeps emails and usernames unique across databases, under a race and after a change", async () => {
    const email = `${unique()}@example.com`;
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call("POST", "/auth/signup", { body: { email, username: unique(`r${i}`), password: "s3cret-passw0rd" } }),
      ),
    );
    expect(racers.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of racers.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect((await json(r)).error.code).toBe("email_taken");
    }
    // A username is taken whatever its case, wherever its key lives.
    const name = unique("Name");
    const a = await signup({ username: name });
    const clash = await call("POST", "/auth/signup", {
      body: { email: `${unique()}@example.com`, username: name.toLowerCase(), password: "s3cret-passw0rd" },
    });
    expect(clash.status).toBe(409);
    expect((await json(clash)).error.code).toBe("username_taken");

    // Changing an email (an admin's change applies at once) frees the old one for someone else.
    const newEmail = `${unique()}@example.com`;
    const admin = await adminUser();
    const patched = await call("PATCH", `/users/${a.user.user_id}`, {
      token: admin.access_token,
      body: { email: newEmail },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect((await call("POST", "/auth/login", { body: { email: newEmail, password: "s3cret-passw0rd" } })).status).toBe(
      200,
    );
    expect(
      (await call("POST", "/auth/login", { body: { email: a.user.email, password: "s3cret-passw0rd" } })).status,
    ).toBe(401);
    const b = await signup({ email: a.user.email });
    expect(b.user.email).toBe(a.user.email);
  });
});

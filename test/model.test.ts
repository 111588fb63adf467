import fc from "fast-check";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getStock } from "../src/services/inventory";
import { findUserById } from "../src/services/users";
import { call, createCategory, createProduct, json, signup, type TestUser } from "./helpers";

/**
 * Property-based tests: random sequences of cart commands, then a checkout, are
 * run against the real Worker and against a tiny model (a map of quantities with
 * the cart's rules). After every command the cart equals the model; after the
 * checkout the stock moved by exactly what the model says was bought.
 */
const STOCK = [3, 5, 40];
const products: { product_id: string; price: number }[] = [];

beforeAll(async () => {
  const cat = await createCategory(`Model ${Date.now()}`);
  const seller = await signup({ role: "seller" });
  for (const [i, stock] of STOCK.entries())
    products.push(await createProduct(seller, cat.category_id, { stock_available: stock, price: 100 * (i + 1) }));
});

type Cmd = { op: "add"; p: number; q: number } | { op: "remove"; p: number; q?: number };
const command: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant("add" as const), p: fc.integer({ min: 0, max: 2 }), q: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    op: fc.constant("remove" as const),
    p: fc.integer({ min: 0, max: 2 }),
    q: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  }),
);

describe("cart and checkout against a model", () => {
  it("every command leaves the cart as the model says, and checkout takes exactly the model's quantities", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (cmds) => {
        const buyer: TestUser = await signup();
        const stockBefore = await Promise.all(products.map(async (p) => (await getStock(env, p.product_id)).available));
        const model = new Map<number, number>();
        for (const c of cmds) {
          const p = products[c.p];
          if (c.op === "add") {
            const res = await call("POST", "/cart/add", {
              token: buyer.access_token,
              body: { product_id: p.product_id, quantity: c.q },
            });
            const next = (model.get(c.p) ?? 0) + c.q;
            // Rule: a line holds no more than the stock (and 99).
            if (next <= Math.min(99, stockBefore[c.p])) {
              expect(res.status).toBe(200);
              model.set(c.p, next);
            } else expect(res.status).toBe(409);
          } else {
            const res = await call("POST", "/cart/remove", {
              token: buyer.access_token,
              body: { product_id: p.product_id, ...(c.q ? { quantity: c.q } : {}) },
            });
            const have = model.get(c.p) ?? 0;
            if (have === 0) expect(res.status).toBe(404);
            else {
              expect(res.status).toBe(200);
              if (c.q === undefined || c.q >= have) model.delete(c.p);
              else model.set(c.p, have - c.q);
            }
          }
          const cart = await json(await call("GET", "/cart", { token: buyer.access_token }));
          const actual = Object.fromEntries(cart.items.map((i: any) => [i.product_id, i.quantity]));
          const expected = Object.fromEntries([...model].map(([i, q]) => [products[i].product_id, q]));
          expect(actual).toEqual(expected);
          expect(cart.subtotal).toBe([...model].reduce((s, [i, q]) => s + products[i].price * q, 0));
        }
        const res = await call("POST", "/orders", {
          token: buyer.access_token,
          body: { payment_method: "pm_card_visa", shipping_address: "1 Model St" },
        });
        if (model.size === 0) {
          expect(res.status).toBe(409);
          return;
        }
        expect(res.status).toBe(201);
        const order = await json(res);
        expect(order.total_amount).toBe([...model].reduce((s, [i, q]) => s + products[i].price * q, 0));
        for (const [i, p] of products.entries()) {
          expect((await getStock(env, p.product_id)).available).toBe(stockBefore[i] - (model.get(i) ?? 0));
        }
        // Put the stock back for the next run, so every run starts from the same shelves.
        for (const [i, q] of model)
          await call("POST", `/inventory/${products[i].product_id}`, {
            token: (await sellerOf()).access_token,
            body: { quantity: q },
          });
      }),
      { numRuns: 15, seed: 42 },
    );
  });
});

let seller: TestUser | undefined;
async function sellerOf(): Promise<TestUser> {
  // The products' seller: log in again with the password signup used.
  if (seller) return seller;
  // Users and products live in different databases (users are spread over two in tests): no join.
  const p = await env.DB.prepare("SELECT seller_id FROM products WHERE id = ?")
    .bind(products[0].product_id)
    .first<{ seller_id: string }>();
  const row = await findUserById(env, p!.seller_id);
  const login = await json(
    await call("POST", "/auth/login", { body: { email: row!.email, password: "s3cret-passw0rd" } }),
  );
  seller = { ...login, password: "s3cret-passw0rd" };
  return seller!;
}

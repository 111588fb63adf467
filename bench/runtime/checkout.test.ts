// Runs inside workerd (vitest + @cloudflare/vitest-plugin), started by bench/run.mjs:
// the Worker's own fetch handler with no HTTP in front, 16 concurrent callers.
// Measures a 404 through the full middleware, POST /cart/add and POST /orders,
// and prints one BENCH_RESULT line each (rate and ratio to the 404). Checks the
// stock afterwards: every paid order took exactly its units.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { call, run, token } from "./harness";

const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 16);
const N = Number(env.BENCH_CHECKOUTS ?? 1500);
const PRODUCTS = 50;

async function measure(name: string, n: number, one: (k: number) => Promise<number>, expected: number) {
  const r = await run(n, CONCURRENCY, one);
  expect(r.codes[expected], `${name}: ${JSON.stringify(r.codes)}`).toBe(n);
  return { name, connections: CONCURRENCY, ...r };
}

it("checkout and add-to-cart against a 404 through the same middleware", async () => {
  const suffix = Date.now().toString(36).toUpperCase().padStart(10, "0");
  const seller = await token(`usr_BENCHSELLER${suffix}`.padEnd(30, "0").slice(0, 30), "seller");
  const admin = await token(`usr_BENCHADMIN0${suffix}`.padEnd(30, "0").slice(0, 30), "admin");
  const cat = await (await call("POST", "/categories", admin, { name: `Bench ${suffix}` })).json<{
    category_id: string;
  }>();
  const products: { product_id: string; stock_available: number }[] = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const res = await call("POST", "/products", seller, {
      name: `Bench item ${i}`,
      description: "bench",
      price: 1000 + i,
      category_id: cat.category_id,
      stock_available: 100_000,
    });
    expect(res.status).toBe(201);
    products.push(await res.json());
  }
  const buyers = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      token(`usr_B${String(i).padStart(7, "0")}${suffix}`.padEnd(30, "0").slice(0, 30), "buyer"),
    ),
  );
  const address = {
    name: "Bench Buyer",
    line1: "1 Load St",
    city: "Austin",
    postal_code: "73301",
    country: "US",
    region: "TX",
  };

  // Warm-up: the isolate, the objects and the caches, as a running server has them; then
  // let the background work of the set-up (indexing, projections) finish before measuring.
  await new Promise((r) => setTimeout(r, 3000));
  await measure("warm-up 404", 300, () => call("GET", "/no-such-route").then((r) => (r.body?.cancel(), r.status)), 404);
  const notFound = await measure(
    "404 through the middleware",
    3000,
    () => call("GET", "/no-such-route").then((r) => (r.body?.cancel(), r.status)),
    404,
  );
  const add = await measure(
    "POST /cart/add",
    N,
    (k) =>
      call("POST", "/cart/add", buyers[k], { product_id: products[k % PRODUCTS].product_id, quantity: 1 }).then(
        (r) => (r.body?.cancel(), r.status),
      ),
    200,
  );
  const checkout = await measure(
    "POST /orders",
    N,
    (k) =>
      call("POST", "/orders", buyers[k], { payment_method: "pm_card_visa", shipping_address: address }).then(
        (r) => (r.body?.cancel(), r.status),
      ),
    201,
  );
  for (const r of [notFound, add, checkout])
    console.log(`BENCH_RESULT ${JSON.stringify({ kind: "in-runtime", ...r, ratio: r.rps / notFound.rps })}`);

  // Invariant: each product sold exactly what its paid orders took.
  let sold = 0;
  for (const p of products) {
    const stock = await (await call("GET", `/inventory/${p.product_id}`, admin)).json<{
      stock_available: number;
      reserved: number;
    }>();
    sold += 100_000 - stock.stock_available - stock.reserved;
  }
  console.log(
    `BENCH_RESULT ${JSON.stringify({ kind: "in-runtime", invariant: true, paid: checkout.codes[201], sold, expected: N })}`,
  );
  expect(sold).toBe(N);
});

// Runs inside workerd (started by bench/run.mjs, or alone:
// `BENCH_ONLY_FILE=primitives npx vitest run --config bench/runtime/vitest.config.ts --silent=false`).
// What one platform operation costs the one local thread, each timed at one caller in a loop so
// nothing else runs meanwhile: the floor under any request that uses it. Locally D1, Durable
// Objects and the Rate Limiting binding are simulated on the same thread as the Worker, so these
// are CPU here where on Cloudflare most of them are waits. Prints one BENCH_RESULT line each.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { purgeEdgeCache } from "../../src/lib/edge-cache";
import { verifyAccessToken } from "../../src/services/tokens";
import { token } from "./harness";

async function perOp(name: string, n: number, op: (k: number) => Promise<unknown>) {
  for (let k = 0; k < Math.min(50, n); k++) await op(-1 - k); // warm-up
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await op(k);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`BENCH_RESULT ${JSON.stringify({ kind: "primitive", name, n, us })}`);
  return us;
}

it("what one platform operation costs here", async () => {
  const run = Date.now().toString(36);
  const cartId = `crt_prim_${run}`;
  const cart = env.CART.get(env.CART.idFromName(`guest:${cartId}`));
  await cart.add(cartId, null, {
    product_id: "prd_prim",
    variant_id: "var_prim",
    cart_item_id: "cit_prim",
    quantity: 1,
    price: 100,
    maxQuantity: 10,
  });
  await env.DB.exec("CREATE TABLE IF NOT EXISTS bench_scratch (id TEXT PRIMARY KEY, v INTEGER NOT NULL, body TEXT)");
  const insert = env.DB.prepare("INSERT INTO bench_scratch (id, v, body) VALUES (?, ?, ?)");
  const jwt = await token(`usr_PRIM${run.toUpperCase()}`.padEnd(30, "0").slice(0, 30), "buyer");
  const fresh = await Promise.all(
    Array.from({ length: 1000 }, (_, k) =>
      token(`usr_PRIM${run.toUpperCase()}${k}`.padEnd(30, "0").slice(0, 30), "buyer"),
    ),
  );

  const results = [
    await perOp("Durable Object RPC, read-only (a warm cart's itemCount)", 2000, () => cart.itemCount()),
    await perOp("Durable Object RPC that writes its SQLite (a warm cart's coupons)", 2000, () =>
      cart.setCoupons(cartId, null, []),
    ),
    await perOp("a new Durable Object's first call (a new cart's itemCount)", 300, (k) =>
      env.CART.get(env.CART.idFromName(`guest:crt_prim_new_${run}_${k}`)).itemCount(),
    ),
    await perOp("D1 `SELECT 1`", 1000, () => env.DB.prepare("SELECT 1 AS one").first()),
    await perOp("D1 batch of 4 inserts (an order's shape)", 1000, (k) =>
      env.DB.batch([0, 1, 2, 3].map((i) => insert.bind(`${run}_${k}_${i}`, k, "x".repeat(200)))),
    ),
    await perOp("Rate Limiting binding, one key", 2000, () => env.WRITE_LIMIT_USER.limit({ key: "usr_prim" })),
    // Each token new to the isolate (minted beforehand), then one it has verified before (its memo).
    await perOp("access token verified (HS256, jose), first use", 1000, (k) =>
      verifyAccessToken(env, k < 0 ? jwt : fresh[k]),
    ),
    await perOp("access token verified, seen before in this isolate", 2000, () => verifyAccessToken(env, jwt)),
    // What a paid order's purge of each product page costs (src/lib/edge-cache.ts).
    await perOp("Cache API delete (one product page)", 1000, (k) => purgeEdgeCache(`/products/prd_prim_${k}`)),
  ];
  for (const us of results) expect(us).toBeGreaterThan(0);
});

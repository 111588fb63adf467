// Runs inside workerd (vitest + @cloudflare/vitest-plugin), started by bench/run.mjs:
// the inventory Durable Object's own throughput on one product, through its RPC
// interface with no HTTP in front, at 1, 16 and 64 concurrent callers. Prints one
// BENCH_RESULT line per level; checks that no unit was sold twice.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

it("hot-SKU reservations on one inventory object", async () => {
  const productId = "prd_BENCHHOTSKU0000000000000000";
  await env.DB.prepare(
    "INSERT OR IGNORE INTO products (id, seller_id, category_id, category_path, name, description, price, stock_available) VALUES (?, 'usr_bench', 'cat_bench', '/cat_bench/', 'Hot SKU', 'bench', 100, 1000000)",
  )
    .bind(productId)
    .run();
  const stub = env.INVENTORY.get(env.INVENTORY.idFromName(productId));
  const start = await stub.get(productId);
  if (!start.ok) throw new Error("no stock object");
  let granted = 0;
  const n = 3000;
  for (const concurrency of [1, 16, 64]) {
    let next = 0;
    const latencies: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const k = next++;
          const s = Date.now();
          const r = await stub.reserve(productId, `bench-${concurrency}-${k}`, 1, 3_600_000);
          latencies.push(Date.now() - s);
          if (r.ok) granted++;
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    console.log(
      `BENCH_RESULT ${JSON.stringify({ connections: concurrency, rps: n / seconds, p50: pct(0.5), p99: pct(0.99) })}`,
    );
  }
  const end = await stub.get(productId);
  if (!end.ok) throw new Error("no stock object");
  const oversell = granted - (start.available - end.available);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ invariant: true, granted, moved: start.available - end.available, oversell })}`,
  );
  expect(oversell).toBe(0);
});

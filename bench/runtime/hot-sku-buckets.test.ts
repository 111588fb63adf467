// Runs inside workerd (vitest + @cloudflare/vitest-plugin), started by bench/run.mjs:
// one hot product's reservations through the inventory module (routing included)
// with its stock spread over 1, 4 and 16 bucket objects, 64 concurrent callers.
// Prints one BENCH_RESULT line per bucket count and checks that exactly the stock
// was sold when demand exceeds it.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ApiError } from "../../src/lib/errors";
import { configureBuckets, getStock, holdStock } from "../../src/services/inventory";

async function product(id: string, stock: number) {
  await env.DB.prepare(
    "INSERT OR IGNORE INTO products (id, seller_id, category_id, category_path, name, description, price, stock_available) VALUES (?, 'usr_bench', 'cat_bench', '/cat_bench/', 'Hot SKU', 'bench', 100, ?)",
  )
    .bind(id, stock)
    .run();
}

async function run(productId: string, holds: number, concurrency: number) {
  let next = 0;
  let granted = 0;
  let refused = 0;
  let shed = 0;
  const latencies: number[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < holds) {
        const k = next++;
        const s = Date.now();
        try {
          await holdStock(env, productId, `bench-${productId}-${k}`, 1, 3_600_000);
          granted++;
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          if (err.status === 429) shed++;
          else refused++;
        }
        latencies.push(Date.now() - s);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: holds / ((Date.now() - t0) / 1000), p50: pct(0.5), p99: pct(0.99), granted, refused, shed };
}

it("hot-SKU reservations spread over 1, 4 and 16 buckets", async () => {
  for (const buckets of [1, 4, 16]) {
    // Throughput: far more stock than demand.
    const id = `prd_BENCHBUCKETS${String(buckets).padStart(2, "0")}00000000000000`;
    await product(id, 1_000_000);
    await configureBuckets(env, id, buckets);
    const r = await run(id, 4000, 64);
    console.log(
      `BENCH_RESULT ${JSON.stringify({ buckets, connections: 64, rps: r.rps, p50: r.p50, p99: r.p99, shed: r.shed })}`,
    );

    // Sell-out: 2,000 buyers for 300 units; exactly 300 sold, whatever the bucket count.
    const sell = `prd_BENCHSELLOUT${String(buckets).padStart(2, "0")}0000000000000`;
    await product(sell, 300);
    await configureBuckets(env, sell, buckets);
    const s = await run(sell, 2000, 64);
    const level = await getStock(env, sell);
    const oversell = s.granted - 300;
    console.log(
      `BENCH_RESULT ${JSON.stringify({ invariant: true, kind: "buckets", buckets, granted: s.granted, moved: 300, oversell, shed: s.shed, reserved: level.reserved })}`,
    );
    expect(s.granted).toBeLessThanOrEqual(300);
    if (s.shed === 0) expect(s.granted).toBe(300);
  }
});

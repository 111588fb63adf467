// Checkout load, in its own process: each virtual buyer fills a cart (untimed),
// then checks out (POST /orders) once, `connections` buyers at a time.
// Prints JSON: orders/s, p50/p99 of POST /orders, and the status counts.
// Usage: node bench/checkout-load.mjs <spec.json>
import { readFileSync, writeFileSync } from "node:fs";
import { cpuMs } from "./cpu.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { url, tokens, productIds, connections } = spec;
const address = {
  name: "Bench Buyer",
  line1: "1 Load St",
  city: "Austin",
  postal_code: "73301",
  country: "US",
  region: "TX",
};
const latencies = [];
const codes = {};
let next = 0;

async function post(path, token, body) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

// Phase 1 (not timed): every buyer fills their cart, as shoppers do before checking out
// (skipped with checkoutOnly: the carts were filled by an earlier run).
const ready = spec.checkoutOnly ? [...tokens] : [];
if (!spec.checkoutOnly)
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < tokens.length) {
        const i = next++;
        // A line is a product id (its one variant) or { product_id, variant_id } (a size of a sized product).
        const line = productIds[i % productIds.length];
        const add = await post("/cart/add", tokens[i], {
          ...(typeof line === "string" ? { product_id: line } : line),
          quantity: 1,
        });
        if (add === 200) ready.push(tokens[i]);
        else codes[`add_${add}`] = (codes[`add_${add}`] ?? 0) + 1;
      }
    }),
  );

if (spec.cartOnly) {
  process.stdout.write(JSON.stringify({ carts: ready.length, codes }));
  process.exit(0);
}

// Phase 2: checkouts. The first `warmup` buyers check out untimed, as the other rows warm up
// before they measure: the first checkouts of a fresh isolate run unoptimised code, and in a
// short run they alone made the p99.
async function checkOut(end, timed) {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < end) {
        const token = ready[next++];
        const s = performance.now();
        const status = await post("/orders", token, { payment_method: "pm_card_visa", shipping_address: address });
        if (timed) {
          latencies.push(performance.now() - s);
          timeline?.push([Math.round(s - t0), Math.round(performance.now() - s), status]);
        }
        codes[status] = (codes[status] ?? 0) + 1;
      }
    }),
  );
}
// BENCH_TIMELINE=file: each timed checkout's start (ms into the run), latency and status, to find what makes the tail.
const timeline = process.env.BENCH_TIMELINE ? [] : null;
let t0 = 0;
next = 0;
await checkOut(Math.min(spec.warmup ?? 0, ready.length), false);
t0 = performance.now();
const cpu0 = cpuMs(spec.cpuPids);
await checkOut(ready.length, true);
const seconds = (performance.now() - t0) / 1000;
if (timeline) writeFileSync(process.env.BENCH_TIMELINE, JSON.stringify(timeline));
const cpu1 = cpuMs(spec.cpuPids);
latencies.sort((a, b) => a - b);
const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
process.stdout.write(
  JSON.stringify({
    rps: latencies.length / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    codes,
    seconds,
    cpuUsPerRequest: cpu0 === null ? null : ((cpu1 - cpu0) * 1000) / Math.max(1, latencies.length),
  }),
);

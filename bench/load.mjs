// One load run, in its own process (so the load generator never shares a core
// with the server): autocannon against one workload, JSON result on stdout.
// Usage: node bench/load.mjs '<json spec>'
import autocannon from "autocannon";
import { cpuMs } from "./cpu.mjs";

const spec = JSON.parse(process.argv[2]);
const run = (opts) =>
  new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));

const base = {
  url: spec.url,
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
  pipelining: 1,
  method: spec.method ?? "GET",
  headers: { "content-type": "application/json", ...(spec.headers ?? {}) },
  body: spec.body ? JSON.stringify(spec.body) : undefined,
};
// Many paths (e.g. product ids) are walked round-robin.
if (spec.paths) {
  let i = 0;
  base.requests = [{ setupRequest: (req) => ({ ...req, path: spec.paths[i++ % spec.paths.length] }) }];
}
if (spec.rotate) {
  let i = 0;
  const { carts, products } = spec.rotate;
  base.requests = [
    {
      setupRequest: (req) => {
        const k = i++;
        return {
          ...req,
          headers: { ...req.headers, "x-cart-id": carts[k % carts.length] },
          body: JSON.stringify({ ...spec.body, product_id: products[Math.floor(k / carts.length) % products.length] }),
        };
      },
    },
  ];
}
if (spec.uniqueBody) {
  let i = 0;
  base.requests = [
    {
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ ...spec.body, reservation_id: `${spec.uniqueBody}-${process.pid}-${i++}` }),
      }),
    },
  ];
}
const warm = spec.warmup ? await run({ ...base, duration: spec.warmup }) : null;
// The server's CPU over the timed run only (spec.cpuPids: its workerd processes).
const cpu0 = cpuMs(spec.cpuPids);
const res = await run(base);
const cpu1 = cpuMs(spec.cpuPids);
process.stdout.write(
  JSON.stringify({
    rps: res.requests.average,
    p50: res.latency.p50,
    p99: res.latency.p99,
    total: res.requests.total,
    cpuUsPerRequest: cpu0 === null ? null : ((cpu1 - cpu0) * 1000) / Math.max(1, res.requests.total),
    non2xx: res.non2xx,
    errors: res.errors + res.timeouts,
    statusCodes: res.statusCodeStats,
    warmupStatusCodes: warm?.statusCodeStats ?? {},
  }),
);

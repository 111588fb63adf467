#!/usr/bin/env node
// Server CPU per request for a few paths, against the bare hello, on the state the last
// `npm run bench` left in .wrangler/bench-state: a quick before/after for one change, without the
// whole bench. `products` stands for the first 100 product pages, round-robin.
//
//   node bench/paths.mjs /nope products search cartadd /store [seconds=5] [connections=16]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT } from "../scripts/lib.mjs";
import { quiesce, workerdPids } from "./cpu.mjs";
import { serveApp, servePlainHello } from "./serve.mjs";
import { queryMixes } from "./mixes.mjs";

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const [seconds = 5, connections = 16] = numbers;
const paths = args.filter((a) => !/^\d+$/.test(a));
const STATE = join(ROOT, ".wrangler", "bench-state");
if (!existsSync(STATE)) throw new Error("no bench state: run `npm run bench` once first");
spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)]);

const hello = await servePlainHello({ port: 8796, pin: "0" });
const server = await serveApp({ port: 8795, persistTo: STATE, vars: { LOG_LEVEL: "warn", WRITE_LIMITS: "off" } });
const load = (url, p) => {
  // A list of paths to GET in turn, or the rest of a load spec (bench/load.mjs) for a write.
  const spec = {
    url,
    ...(Array.isArray(p) ? { paths: p } : p),
    connections,
    duration: seconds,
    warmup: 2,
    cpuPids: workerdPids(),
  };
  const out = spawnSync(
    "taskset",
    ["-c", "1", process.execPath, join(ROOT, "bench", "load.mjs"), JSON.stringify(spec)],
    {
      env: CHILD_ENV,
      encoding: "utf8",
    },
  );
  return JSON.parse(out.stdout);
};
const page = await (await fetch(`${server.url}/products?limit=100`)).json();
const sets = {
  hello: [hello.url, ["/"]],
  products: [server.url, page.data.map((p) => `/products/${p.product_id}`)],
  // The bench's real query mix (`npm run bench`'s "GET /search" row).
  search: [server.url, queryMixes().search],
  // The bench's "POST /cart/add" row: 200 guest carts in turn, given in-stock products one after another.
  cartadd: [
    `${server.url}/cart/add`,
    {
      method: "POST",
      body: { quantity: 1 },
      rotate: {
        carts: Array.from({ length: 200 }, (_, i) =>
          `crt_${String(i).padStart(6, "0")}PATH${Date.now().toString(36).toUpperCase().padStart(16, "0")}`.slice(
            0,
            30,
          ),
        ),
        products: page.data
          .filter((p) => p.variants.length === 1 && p.stock_available > 0)
          .slice(0, 50)
          .map((p) => p.product_id),
      },
    },
  ],
};
await quiesce(workerdPids());
let floor = null;
for (const name of ["hello", ...paths]) {
  const [url, ps] = sets[name] ?? [server.url, [name]];
  const r = load(url, ps);
  floor ??= r.cpuUsPerRequest;
  console.log(
    `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
      `${Math.round(r.cpuUsPerRequest)} µs CPU/req  x${(floor / r.cpuUsPerRequest).toFixed(2)} of hello by CPU  ${Object.keys(r.statusCodes)}`,
  );
}
await server.dispose();
await hello.dispose();
process.exit(0);

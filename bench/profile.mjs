#!/usr/bin/env node
// A CPU profile of one workload, taken from workerd's own inspector (V8's sampling
// profiler over the DevTools protocol), on a freshly seeded local state served as
// the bench serves it. Prints the functions with the most self time, summed by
// function and by source area (src/… domain, node_modules package), so a slow path
// shows where its time goes. Used to build docs/performance.md.
//
//   node bench/profile.mjs checkout|cart|guestcart|product|search|home [seconds=8] [connections=16]
import { loadSeedCatalog, loadSeedQueries } from "../scripts/catalog.mjs";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";
import { benchStateDir } from "./state-dir.mjs";
import { createBuyers, mintTokens } from "./buyers.mjs";
import { serveApp } from "./serve.mjs";
import { quiesce, workerdPids } from "./cpu.mjs";

const [workload = "checkout", seconds = "8", connections = "16"] = process.argv.slice(2);
const PORT = 8797;
const INSPECTOR = 9329;
const PERSIST = benchStateDir("profile-state");
spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)]);

const vars = ensureDevVars();
rmSync(PERSIST, { recursive: true, force: true });
await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
await run(WRANGLER, ["d1", "migrations", "apply", "WAREHOUSE", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
await seedLocal({ persistTo: PERSIST });
await createBuyers(PERSIST, [["PROFX", Number(seconds) * 150]]);
const server = await serveApp({
  port: PORT,
  persistTo: PERSIST,
  // As the bench serves it: the flood guards off (one address sends everything).
  vars: { LOG_LEVEL: "warn", WRITE_LIMITS: "off" },
  inspectorPort: INSPECTOR,
});
await waitFor(`${server.url}/health`, 120_000);

async function api(method, path, body, token) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The user worker's inspector target.
const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json();
const target = targets.find((t) => t.title?.includes("edge-marketplace")) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r, { once: true }));
let seq = 0;
const pending = new Map();
ws.addEventListener("message", (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const cdp = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++seq;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });

const admin = await api("POST", "/auth/login", { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD });
const page = await api("GET", "/products?limit=100");
// Products of one variant: their stock is set on the product (a sized one's is per variant).
const ids = page.data
  .filter((p) => p.variants.length === 1)
  .slice(0, 50)
  .map((p) => p.product_id);
for (const id of ids) await api("PATCH", `/products/${id}`, { stock_available: 100_000 }, admin.access_token);

const n = Number(seconds) * 150;
const tokens = await mintTokens(vars, n, "PROFX");

await cdp("Profiler.enable");
await cdp("Profiler.setSamplingInterval", { interval: 100 });
const spec = join(ROOT, ".wrangler", "profile-spec.json");
let loadCmd;
if (workload === "checkout" || workload === "cart") {
  // The carts fill first; for "checkout" that is outside the profile, so only the checkouts are sampled.
  writeFileSync(
    spec,
    JSON.stringify({ url: server.url, tokens, productIds: ids, connections: Number(connections), cartOnly: true }),
  );
  loadCmd = [join(ROOT, "bench", "checkout-load.mjs"), spec];
  if (workload === "checkout") {
    const fill = spawnSync("taskset", ["-c", "1", process.execPath, ...loadCmd], {
      cwd: ROOT,
      env: CHILD_ENV,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    console.log(`carts: ${fill.stdout.slice(0, 200)}`);
    writeFileSync(
      spec,
      JSON.stringify({
        url: server.url,
        tokens,
        productIds: ids,
        connections: Number(connections),
        checkoutOnly: true,
      }),
    );
    await new Promise((r) => setTimeout(r, 3000));
  }
} else if (workload === "guestcart") {
  // The bench's "POST /cart/add" row: 200 guest carts in turn, each given the 50 products one after another.
  const carts = Array.from({ length: 200 }, (_, i) =>
    `crt_${String(i).padStart(6, "0")}PROF${Date.now().toString(36).toUpperCase().padStart(16, "0")}`.slice(0, 30),
  );
  loadCmd = [
    join(ROOT, "bench", "load.mjs"),
    JSON.stringify({
      url: `${server.url}/cart/add`,
      method: "POST",
      body: { quantity: 1 },
      rotate: { carts, products: ids },
      connections: Number(connections),
      duration: Number(seconds),
    }),
  ];
} else {
  const paths = {
    product: page.data.map((p) => `/products/${p.product_id}`),
    // The real shopper queries (the 400 most popular), as the bench's mix draws them.
    search: loadSeedQueries(loadSeedCatalog().products)
      .slice(0, 400)
      .map((q) => `/search?q=${encodeURIComponent(q.query)}&limit=20`),
    home: ["/feed"],
  }[workload] ?? [workload];
  loadCmd = [
    join(ROOT, "bench", "load.mjs"),
    JSON.stringify({ url: server.url, paths, connections: Number(connections), duration: Number(seconds) }),
  ];
}
// The seeding's own background work (search snapshots, consumers) ends first: it is not the workload's.
// After a cart fill, one quiet second, as the bench waits: workerd evicts an object idle for 10 s,
// and checkouts of evicted carts spent a fifth of their samples waking them.
await quiesce(workerdPids(), workload === "checkout" ? { idleSeconds: 1 } : {});
await cdp("Profiler.start");
const out = spawnSync("taskset", ["-c", "1", process.execPath, ...loadCmd], {
  cwd: ROOT,
  env: CHILD_ENV,
  encoding: "utf8",
  maxBuffer: 1 << 26,
});
const { result } = await cdp("Profiler.stop");
console.log(`load: ${out.stdout.slice(0, 300)} ${out.stderr.slice(0, 300)}`);

const prof = result.profile;
// Kept for a closer look (chrome://inspect, or inclusive time by caller: bench/profile-tree.mjs).
writeFileSync(join(ROOT, ".wrangler", `profile-${workload.replace(/\W+/g, "_")}.cpuprofile`), JSON.stringify(prof));
// Samples are counted, not summed by their timeDeltas: a delta holds all the time since the sample
// before, including time the thread spent in other isolates (the D1 simulator, the queue broker),
// so a sample after a long gap charges that gap to whatever frame is current (often an `await`).
const interval = (prof.endTime - prof.startTime) / Math.max(1, prof.samples.length);
const dt = new Map();
for (const id of prof.samples) dt.set(id, (dt.get(id) ?? 0) + interval);
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const byFn = new Map();
const byArea = new Map();
for (const node of prof.nodes) {
  const t = dt.get(node.id) ?? 0;
  if (!t) continue;
  const f = node.callFrame;
  const url = f.url || "(native)";
  const area =
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    /src\/([^/]+(\/[^/.]+)?)/.exec(url)?.[1] ??
    (f.functionName.startsWith("(") ? f.functionName : url.split("/").pop());
  const fn = `${f.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  byArea.set(area, (byArea.get(area) ?? 0) + t);
}
const top = (m, k) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(
      ([name, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
console.log(
  `\nCPU profile of ${workload}: ${(total / 1000).toFixed(0)} ms sampled in the user worker's isolate\n\nby area:\n${top(byArea, 25).join("\n")}\n\nby function (self time):\n${top(byFn, 40).join("\n")}`,
);
ws.close();
await server.dispose();
process.exit(0);

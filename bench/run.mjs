#!/usr/bin/env node
// `npm run bench`: serves the Worker the way production runs it (workerd with
// its bindings through Miniflare's API: no wrangler dev proxy or inspector;
// migrations applied, catalog seeded) and a bare Hono "hello" served the same
// way, plus that hello under a plain `workerd serve` to show what the harness
// itself costs. The hello rows run first, with nothing else on the server core.
// Each workload is loaded with autocannon from a separate process at 1, 16 and
// 64 connections after a warm-up (server and load on different cores where
// taskset exists), and printed in one table: req/s, ratio to hello in the same
// run, p50, p99, errors. Exits non-zero when an invariant breaks (an oversell,
// a 5xx) or when the harness's hello is under half the plain one.
// Writes bench/results/latest.md.
//
//   BENCH_DURATION=10 BENCH_CONNECTIONS=1,16,64 [BENCH_ONLY=products] npm run bench
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";
import { benchStateDir, inMemoryTmp } from "./state-dir.mjs";
import { evaluate as evaluateRecommendations } from "../scripts/reco-eval.mjs";
import { createBuyers, mintTokens } from "./buyers.mjs";
import { serveApp, serveHello, servePlainHello } from "./serve.mjs";
import { quiesce, workerdPids } from "./cpu.mjs";
import { queryMixes } from "./mixes.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,16,64").split(",").map(Number);
const APP_PORT = 8791;
const HELLO_PORT = 8792;
const PLAIN_HELLO_PORT = 8793;
const PERSIST = benchStateDir("bench-state");

const hasTaskset = spawnSync("taskset", ["-V"]).status === 0 && cpus().length >= 2;
const serverCores = hasTaskset ? (cpus().length >= 4 ? "0,1" : "0") : null;
const loadCores = hasTaskset ? (cpus().length >= 4 ? "2,3" : "1") : null;
const pinned = (cores, cmd, args) => (cores ? ["taskset", ["-c", cores, cmd, ...args]] : [cmd, args]);
// This process and every workerd it starts (Miniflare spawns them) run on the server cores;
// each load generator is its own process on the load cores.
if (serverCores) spawnSync("taskset", ["-a", "-p", "-c", serverCores, String(process.pid)]);

const servers = [];
async function cleanup() {
  for (const s of servers.splice(0)) await s.dispose().catch(() => {});
}
process.on("SIGINT", () => cleanup().finally(() => process.exit(130)));

function load(spec) {
  const withCpu = { ...spec, cpuPids: workerdPids() };
  const [cmd, argv] = pinned(loadCores, process.execPath, [join(ROOT, "bench", "load.mjs"), JSON.stringify(withCpu)]);
  const out = spawnSync(cmd, argv, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8", maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`load run failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

async function api(method, path, body, token, attempt = 0) {
  // A kept-alive socket may be dropped after a load run: retry once.
  const res = await fetch(`http://127.0.0.1:${APP_PORT}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).catch((err) => {
    if (attempt < 2) return null;
    throw err;
  });
  if (!res) return api(method, path, body, token, attempt + 1);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// Enough buyers for the timed checkouts to last about the run's duration at a few hundred orders
// a second, after CHECKOUT_WARMUP of them check out untimed.
const CHECKOUT_WARMUP = 200;
const checkoutBuyers = () => CHECKOUT_WARMUP + Math.max(200, Math.min(6000, Math.round(DURATION * 300)));
// The size checkout's buyers (COV…) are accounts too: without one, each order's confirmation had no
// address and went to the dead-letter queue, background work a real order does not set off.
const BUYER_GROUPS = [
  ...CONNECTIONS.flatMap((c) => [
    [`CO${c}X`, checkoutBuyers()],
    [`COV${c}X`, checkoutBuyers()],
  ]),
  ["HOTX", 1000],
];

/**
 * One checkout run: the buyers fill their carts (untimed), the server settles, then they check out
 * (timed). The settling keeps the adds' own deferred work (a signed-in cart's D1 summary a second
 * later) out of the checkout's CPU figure; the checkout's own background work (outbox relay,
 * consumers) stays in it.
 */
async function checkoutLoad(spec) {
  // The spec (thousands of tokens) goes through a file: one argv string is capped at 128 KB.
  const file = join(ROOT, ".wrangler", `checkout-spec-${process.pid}.json`);
  const phase = (extra) => {
    writeFileSync(file, JSON.stringify({ ...spec, ...extra, cpuPids: workerdPids() }));
    const [cmd, argv] = pinned(loadCores, process.execPath, [join(ROOT, "bench", "checkout-load.mjs"), file]);
    const out = spawnSync(cmd, argv, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8", maxBuffer: 1 << 26 });
    if (out.status !== 0) throw new Error(`checkout load failed: ${out.stderr}`);
    return JSON.parse(out.stdout);
  };
  const filled = phase({ cartOnly: true });
  if (process.env.BENCH_SETTLE !== "0") {
    // One quiet second, not the startup's six: workerd evicts an object idle for 10 s (workerd
    // PR #1138; Cloudflare waits 70-140 s), and a cart woken again pays a first call's cost on this
    // thread (a new object's is 1.1-1.3 ms in bench/runtime/primitives.test.ts). A run that follows
    // another checkout run settles longer (that run's consumers and search reindex), so its carts
    // may be cold.
    const q = await quiesce(workerdPids(), { idleSeconds: 1, maxMs: 30_000 });
    console.log(`  (carts filled; ${q.waitedMs} ms for the server to settle)`);
  }
  const r = phase({ checkoutOnly: true });
  rmSync(file, { force: true });
  // Adds that failed leave empty carts: their checkouts answer 409, and the run reports both.
  for (const [code, n] of Object.entries(filled.codes)) r.codes[code] = (r.codes[code] ?? 0) + n;
  return r;
}

// ---- setup ------------------------------------------------------------------
const vars = ensureDevVars();
const rows = [];
const failures = [];
const helloRps = {};
const plainRps = {};
// The hello's server CPU per request (µs), by connections: the floor of the "ratio by CPU" column.
const helloCpu = {};

/** One hello row: loads `url`, adds its row (its ratio to the first hello by req/s) and prints it. */
function helloRow(name, url, connections) {
  const r = load({ url: `${url}/`, connections, duration: DURATION, warmup: WARMUP });
  rows.push({
    workload: name,
    connections,
    rps: r.rps,
    cpu: r.cpuUsPerRequest,
    ratio: helloRps[connections] ? r.rps / helloRps[connections] : NaN,
    p50: r.p50,
    p99: r.p99,
    errors: r.errors,
  });
  console.log(
    `  ${name.padEnd(40)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
  );
  return r;
}

// The baselines first, with nothing else running on the server core.
console.log("bench: the bare Hono hello, under plain workerd and under the harness…");
{
  const plain = await servePlainHello({ port: PLAIN_HELLO_PORT, pin: serverCores });
  const hello = await serveHello({ port: HELLO_PORT });
  servers.push(plain, hello);
  for (const connections of CONNECTIONS) {
    plainRps[connections] = helloRow("hello (bare Hono, plain workerd serve)", plain.url, connections).rps;
    const r = helloRow("hello (bare Hono)", hello.url, connections);
    helloRps[connections] = r.rps;
    helloCpu[connections] = r.cpuUsPerRequest;
    rows.at(-1).ratio = 1;
    const trust = helloRps[connections] / plainRps[connections];
    rows.find(
      (row) => row.workload === "hello (bare Hono, plain workerd serve)" && row.connections === connections,
    ).ratio = 1 / trust;
    if (!(trust >= 0.5))
      failures.push(
        `the harness's hello is ${trust.toFixed(2)}x the plain workerd one at ${connections} connections (under 0.5x): these figures are not trustworthy`,
      );
  }
  await cleanup();
}

console.log("bench: migrating and seeding a fresh local state…");
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
await createBuyers(PERSIST, BUYER_GROUPS);
// Info-level access logs off (production ships them asynchronously through Workers Logs);
// warnings and errors still log. Write limits off: the hot-SKU rows send thousands of holds a
// minute with one seller's token, which the per-user limit (600 a minute) would answer with 429.
// The limit is one in-process Rate Limiting call (about 1% of a checkout's CPU in a profile);
// the in-runtime rows below run with it on.
servers.push(
  await serveApp({
    port: APP_PORT,
    persistTo: PERSIST,
    vars: {
      LOG_LEVEL: "warn",
      WRITE_LIMITS: "off",
      ...(process.env.BENCH_EDGE_CACHE ? { EDGE_CACHE: process.env.BENCH_EDGE_CACHE } : {}),
    },
  }),
);
await waitFor(`http://127.0.0.1:${APP_PORT}/health`, 120_000);

const admin = await api("POST", "/auth/login", { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD });
const page = await api("GET", "/products?limit=100");
const productPaths = page.data.map((p) => `/products/${p.product_id}`);
// Products with one variant (stock set on the product) and sized ones (stock per variant), from as many pages as it takes.
const single = [];
const sized = [];
for (let cursor = null, pages = 0; (single.length < 70 || sized.length < 50) && pages < 60; pages++) {
  const more = await api("GET", `/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  for (const p of more.data) (p.variants.length === 1 ? single : sized).push(p);
  if (!(cursor = more.next_cursor)) break;
}
const hot = single[0];
const HOT_STOCK = 1_000_000;
const hotBefore = await api("PATCH", `/products/${hot.product_id}`, { stock_available: HOT_STOCK }, admin.access_token);
if (hotBefore.stock_available !== HOT_STOCK) throw new Error("could not set the hot SKU's stock");
const soldOut = single[1];
const SELLOUT_STOCK = 100;
await api("PATCH", `/products/${soldOut.product_id}`, { stock_available: SELLOUT_STOCK }, admin.access_token);

const app = `http://127.0.0.1:${APP_PORT}`;

// Real shopper queries, sampled by their popularity (a Zipf-like mix), for search and suggest.
const { catalog: seedCatalog, queries, search: searchMix, suggest: suggestMix } = queryMixes();
const guestCarts = Array.from({ length: 200 }, (_, i) =>
  `crt_${String(i).padStart(6, "0")}BENCH${Date.now().toString(36).toUpperCase().padStart(15, "0")}`.slice(0, 30),
);
const auth = { authorization: `Bearer ${admin.access_token}` };
const workloads = [
  { name: "GET /health (D1 ping)", url: `${app}/health` },
  { name: "GET /products/{id}", url: app, paths: productPaths },
  {
    name: "POST /auth/login (scrypt)",
    url: `${app}/auth/login`,
    method: "POST",
    body: { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD },
  },
  { name: "GET /store (home page, SSR)", url: `${app}/store` },
  {
    name: "GET /store/search (search page, SSR)",
    url: app,
    paths: searchMix.map((p) => p.replace("/search?", "/store/search?")),
  },
  { name: "GET /search (real query mix)", url: app, paths: searchMix },
  { name: "GET /suggest (real prefixes)", url: app, paths: suggestMix },
  {
    // Existing guest carts (created in the warm-up), rotating over carts and products.
    name: "POST /cart/add",
    url: `${app}/cart/add`,
    method: "POST",
    body: { quantity: 1 },
    rotate: {
      carts: guestCarts,
      products: single
        .filter((p) => p.stock_available > 0)
        .slice(0, 50)
        .map((p) => p.product_id),
    },
  },
  {
    name: "hot-SKU reserve (one product)",
    url: `${app}/inventory/${hot.product_id}/holds`,
    method: "POST",
    headers: auth,
    body: { quantity: 1, ttl_seconds: 3600 },
    uniqueBody: "bench",
    expect: 201,
  },
];

// ---- run ----------------------------------------------------------------------
let holds = 0;
let hotCheckout = null;
// BENCH_ONLY=substring runs only matching workloads (the hello baseline always runs).
const only = process.env.BENCH_ONLY;
{
  const { waitedMs, busyPct } = await quiesce(workerdPids());
  console.log(
    `bench: ${(waitedMs / 1000).toFixed(0)} s for the server's background work (queue consumers, search snapshots) to settle; last second ${busyPct?.toFixed(1)}% of a core`,
  );
}
for (const w of workloads.filter((w) => !only || w.name.includes(only))) {
  for (const connections of CONNECTIONS) {
    const r = load({ ...w, connections, duration: DURATION, warmup: WARMUP });
    const codes = { ...r.statusCodes };
    const fivexx = Object.entries(codes)
      .filter(([c]) => c.startsWith("5"))
      .reduce((n, [, v]) => n + v.count, 0);
    if (w.uniqueBody) {
      for (const src of [r.statusCodes, r.warmupStatusCodes]) holds += src["201"]?.count ?? 0;
    }
    const ratio = helloRps[connections] ? r.rps / helloRps[connections] : NaN;
    rows.push({
      workload: w.name,
      connections,
      rps: r.rps,
      cpu: r.cpuUsPerRequest,
      ratio,
      p50: r.p50,
      p99: r.p99,
      errors: r.errors + fivexx,
      non2xx: r.non2xx,
    });
    if (fivexx > 0) failures.push(`${w.name} @${connections}: ${fivexx} responses 5xx`);
    console.log(
      `  ${w.name.padEnd(32)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} req/s  x${ratio.toFixed(2)}  p50 ${r.p50} ms  p99 ${r.p99} ms`,
    );
  }
}

// Search quality on the real queries: how many find something, split by whether
// every word of the query occurs somewhere in the seeded catalog.
let hitReport = null;
if (!only || "search".includes(only)) {
  const vocab = new Set();
  for (const p of seedCatalog.products) {
    for (const w of `${p.name} ${p.brand ?? ""} ${p.categories.join(" ")} ${p.description}`
      .toLowerCase()
      .split(/[^a-z0-9]+/))
      if (w) vocab.add(w);
  }
  let answerable = 0,
    answerableHit = 0,
    otherHit = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < queries.length) {
        const q = queries[next++];
        const r = await api("GET", `/search?q=${encodeURIComponent(q.query)}&limit=1`);
        const words = q.query.split(/[^a-z0-9]+/).filter(Boolean);
        const inCatalog = words.every((w) => vocab.has(w));
        if (inCatalog) answerable++;
        if (r.total > 0) inCatalog ? answerableHit++ : otherHit++;
      }
    }),
  );
  const stats = (await api("GET", "/search/stats?reload=true", undefined, admin.access_token)).data;
  const docs = stats.reduce((s, x) => s + x.documents, 0);
  const bytes = stats.reduce((s, x) => s + x.snapshot_bytes, 0);
  hitReport = {
    queries: queries.length,
    answerable,
    answerableHit,
    otherHit,
    bytesPerDoc: Math.round(bytes / Math.max(1, docs)),
    restoreMs: stats.map((x) => x.restore_ms),
    docsPerShard: stats.map((x) => x.documents),
  };
  console.log(`  search quality: ${JSON.stringify(hitReport)}`);
}

// Checkout: each virtual buyer adds one item and pays with the test provider.
if (!only || "checkout".includes(only)) {
  const stockIds = single.slice(10, 60).map((p) => p.product_id);
  for (const id of stockIds) await api("PATCH", `/products/${id}`, { stock_available: 100_000 }, admin.access_token);
  // Sized products: one size each, restocked through its variant.
  const sizedLines = sized
    .slice(0, 50)
    .map((p) => ({ product_id: p.product_id, variant_id: p.variants[0].variant_id }));
  for (const l of sizedLines)
    await api(
      "POST",
      `/inventory/${l.product_id}`,
      { quantity: 100_000, variant_id: l.variant_id },
      admin.access_token,
    );
  for (const connections of CONNECTIONS) {
    const n = checkoutBuyers();
    const tokens = await mintTokens(vars, n, `CO${connections}X`);
    const r = await checkoutLoad({ url: app, tokens, productIds: stockIds, connections, warmup: CHECKOUT_WARMUP });
    const fivexx = Object.entries(r.codes)
      .filter(([c]) => c.startsWith("5"))
      .reduce((a, [, v]) => a + v, 0);
    if (fivexx) failures.push(`checkout @${connections}: ${fivexx} 5xx`);
    if ((r.codes["201"] ?? 0) !== n)
      failures.push(
        `checkout @${connections}: ${r.codes["201"] ?? 0} of ${n} orders paid (${JSON.stringify(r.codes)})`,
      );
    const ratio = helloRps[connections] ? r.rps / helloRps[connections] : NaN;
    rows.push({
      workload: "checkout (POST /orders, test provider)",
      connections,
      rps: r.rps,
      cpu: r.cpuUsPerRequest,
      ratio,
      p50: r.p50,
      p99: r.p99,
      errors: fivexx,
    });
    console.log(
      `  ${"checkout".padEnd(32)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} orders/s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
    );
  }
  if (sizedLines.length) {
    const connections = CONNECTIONS.includes(16) ? 16 : CONNECTIONS[0];
    const n = checkoutBuyers();
    const tokens = await mintTokens(vars, n, `COV${connections}X`);
    const r = await checkoutLoad({ url: app, tokens, productIds: sizedLines, connections, warmup: CHECKOUT_WARMUP });
    const fivexx = Object.entries(r.codes)
      .filter(([c]) => c.startsWith("5"))
      .reduce((a, [, v]) => a + v, 0);
    if (fivexx) failures.push(`checkout with variants @${connections}: ${fivexx} 5xx`);
    if ((r.codes["201"] ?? 0) !== n)
      failures.push(
        `checkout with variants @${connections}: ${r.codes["201"] ?? 0} of ${n} orders paid (${JSON.stringify(r.codes)})`,
      );
    const ratio = helloRps[connections] ? r.rps / helloRps[connections] : NaN;
    rows.push({
      workload: "checkout of a size (POST /orders, variants)",
      connections,
      rps: r.rps,
      cpu: r.cpuUsPerRequest,
      ratio,
      p50: r.p50,
      p99: r.p99,
      errors: fivexx,
    });
    console.log(
      `  ${"checkout of a size".padEnd(32)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} orders/s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
    );
  }
  // Hot-SKU checkout: 1,000 buyers, 100 units, 64 at a time. Exactly 100 orders may be paid.
  const hotId = single[60].product_id;
  await api("PATCH", `/products/${hotId}`, { stock_available: 100 }, admin.access_token);
  const tokens = await mintTokens(vars, 1000, "HOTX");
  const r = await checkoutLoad({ url: app, tokens, productIds: [hotId], connections: 64 });
  const paid = r.codes["201"] ?? 0;
  const left = (await api("GET", `/inventory/${hotId}`, undefined, admin.access_token)).stock_available;
  hotCheckout = { paid, left, codes: r.codes };
  if (paid !== 100 || left !== 0)
    failures.push(`hot-SKU checkout: ${paid} paid of 100 units, ${left} left (${JSON.stringify(r.codes)})`);
  rows.push({
    workload: "hot-SKU checkout (1,000 buyers, 100 units)",
    connections: 64,
    rps: r.rps,
    cpu: r.cpuUsPerRequest,
    ratio: helloRps[64] ? r.rps / helloRps[64] : NaN,
    p50: r.p50,
    p99: r.p99,
    errors: 0,
  });
}

// Invariants. Hot SKU: units are conserved (available + reserved unchanged) and
// every 201 is a unit gone (autocannon does not count replies still in flight
// when a run ends, so the server may have taken a few more than it counted).
const hotAfter = await api("GET", `/inventory/${hot.product_id}`, undefined, admin.access_token);
const moved = HOT_STOCK - hotAfter.stock_available;
const oversell = hotAfter.stock_available + hotAfter.reserved - HOT_STOCK;
if (oversell !== 0 || moved !== hotAfter.reserved || holds > moved) {
  failures.push(`hot SKU: ${holds} holds answered 201, available moved by ${moved}, reserved ${hotAfter.reserved}`);
}

// Sell-out: 1,000 buyers on 64 connections race for 100 units; exactly 100 may win.
const sell = load({
  name: "sellout",
  url: `${app}/inventory/${soldOut.product_id}/holds`,
  method: "POST",
  headers: auth,
  body: { quantity: 1 },
  uniqueBody: "sellout",
  connections: 64,
  amount: 1000,
});
const won = sell.statusCodes["201"]?.count ?? 0;
const sellAfter = await api("GET", `/inventory/${soldOut.product_id}`, undefined, admin.access_token);
if (won !== SELLOUT_STOCK || sellAfter.stock_available !== 0)
  failures.push(`sell-out: ${won} of ${SELLOUT_STOCK} units won, ${sellAfter.stock_available} left`);

// Inside workerd with no HTTP in front (bench/runtime): checkout and add-to-cart
// against a 404 through the same middleware, and the inventory object's own throughput.
const bucketSellouts = [];
const primitives = [];
const inRuntime = [];
let auctionRace = null;
let fanout = null;
// The app's server is stopped first, so nothing else runs on the server core meanwhile.
await cleanup();

// The harness hello again, with the app stopped: this VM's speed moves within minutes (one build
// measured a checkout at 2,721 and 5,488 µs fifteen minutes apart, its hello at 61 and 85 µs), and
// every ratio is taken against the hello measured at the start. The report gives the drift.
const helloLaterCpu = {};
{
  const hello = await serveHello({ port: HELLO_PORT });
  servers.push(hello);
  for (const connections of CONNECTIONS)
    helloLaterCpu[connections] = helloRow(
      "hello (bare Hono), again after the app's rows",
      hello.url,
      connections,
    ).cpuUsPerRequest;
  await cleanup();
}
if (!only || "hot-SKU".includes(only) || only === "runtime") {
  const [cmd, argv] = pinned(serverCores, process.execPath, [
    join(ROOT, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--config",
    "bench/runtime/vitest.config.ts",
    "--silent=false",
  ]);
  // The test pool keeps its objects' and databases' files under the temp dir: in memory too (bench/state-dir.mjs).
  const env = { ...CHILD_ENV, ...(inMemoryTmp() ? { TMPDIR: inMemoryTmp() } : {}) };
  const out = spawnSync(cmd, argv, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 24 });
  for (const line of `${out.stdout}\n${out.stderr}`.split("\n")) {
    const m = /BENCH_RESULT (\{.*\})/.exec(line);
    if (!m) continue;
    const r = JSON.parse(m[1]);
    if (r.kind === "primitive") {
      primitives.push(r);
      console.log(`  ${r.name.padEnd(66)} ${r.us.toFixed(0).padStart(6)} µs`);
      continue;
    }
    if (r.kind === "auction") {
      if (r.invariant) {
        auctionRace = r;
        if (r.winners !== 1 || r.price !== r.rule_price || r.accepted_after_end !== 0)
          failures.push(
            `auction race: ${r.winners} winners, price ${r.price} (rule ${r.rule_price}), ${r.accepted_after_end} bids accepted after the end`,
          );
        continue;
      }
      // JSON has no NaN: the fan-out row's rate and ratio arrive as null.
      const rps = r.rps ?? NaN;
      const ratio = r.ratio ?? NaN;
      rows.push({
        workload: `${r.name}, in-runtime${Number.isFinite(ratio) ? " (ratio to the 404)" : ": ms from the bid to each watcher"}`,
        connections: r.connections,
        rps,
        ratio,
        p50: r.p50,
        p99: r.p99,
        errors: 0,
      });
      if (Number.isFinite(rps))
        console.log(
          `  ${r.name.padEnd(32)} c=${String(r.connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} bids/s  x${r.ratio.toFixed(3)} of the 404 (${r.accepted} accepted)`,
        );
      else {
        fanout = r;
        console.log(
          `  ${r.name.padEnd(32)} p50 ${r.p50} ms  p99 ${r.p99} ms per watcher; all ${r.connections} have it: p50 ${r.all_p50} ms, p99 ${r.all_p99} ms`,
        );
      }
      continue;
    }
    if (r.kind === "in-runtime") {
      if (r.invariant) {
        if (r.sold !== r.expected) failures.push(`in-runtime checkout: ${r.sold} units sold for ${r.expected} bought`);
        continue;
      }
      inRuntime.push(r);
      rows.push({
        workload: `${r.name}, in-runtime (ratio to the 404)`,
        connections: r.connections,
        rps: r.rps,
        ratio: r.ratio,
        p50: r.p50,
        p99: r.p99,
        errors: 0,
      });
      console.log(
        `  ${`${r.name}, in-runtime`.padEnd(32)} c=${String(r.connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} req/s  x${r.ratio.toFixed(3)} of the 404`,
      );
      continue;
    }
    if (r.invariant) {
      if (r.oversell !== 0)
        failures.push(
          `in-runtime hot SKU${r.buckets ? ` (${r.buckets} buckets)` : ""}: ${r.granted} granted, ${r.moved} units`,
        );
      if (r.kind === "buckets") bucketSellouts.push(r);
      continue;
    }
    if (r.buckets) {
      rows.push({
        workload: `hot-SKU holds over ${r.buckets} bucket${r.buckets > 1 ? "s" : ""}, in-runtime`,
        connections: r.connections,
        rps: r.rps,
        ratio: NaN,
        p50: r.p50,
        p99: r.p99,
        errors: r.shed,
      });
      console.log(
        `  ${`hot-SKU, ${r.buckets} buckets`.padEnd(32)} c=${String(r.connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} holds/s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
      );
      continue;
    }
    rows.push({
      workload: "hot-SKU reserve, in-runtime DO RPC (no HTTP)",
      connections: r.connections,
      rps: r.rps,
      ratio: NaN,
      p50: r.p50,
      p99: r.p99,
      errors: 0,
    });
    console.log(
      `  ${"hot-SKU reserve, in-runtime".padEnd(32)} c=${String(r.connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} reserves/s  p50 ${r.p50} ms  p99 ${r.p99} ms`,
    );
  }
  if (out.status !== 0) failures.push(`in-runtime bench failed: ${out.stderr.slice(-500)}`);
}

// ---- report -------------------------------------------------------------------
const env = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; server cores ${serverCores ?? "unpinned"}, load cores ${loadCores ?? "unpinned"}; ${DURATION}s runs after ${WARMUP}s warm-up`;
const reproduce = `BENCH_DURATION=${DURATION} BENCH_CONNECTIONS=${CONNECTIONS.join(",")} npm run bench`;
// "ratio by CPU": the hello's server CPU per request over this row's, at the same connections.
// It is what req/s would give on a quiet machine, and steal on a shared VM does not move it.
const cpuRatio = (r) => (r.cpu > 0 && helloCpu[r.connections] > 0 ? helloCpu[r.connections] / r.cpu : NaN);
const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
const table = [
  "| workload | connections | req/s | ratio to hello | server CPU µs/req | ratio by CPU | p50 ms | p99 ms | errors |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.workload} | ${r.connections} | ${fixed(r.rps, 0)} | ${fixed(r.ratio, 3)} | ${fixed(r.cpu, 0)} | ${fixed(cpuRatio(r), 3)} | ${r.p50} | ${r.p99} | ${r.errors} |`,
  ),
].join("\n");
const report = [
  `# Benchmark results`,
  "",
  `${new Date().toISOString()} · ${env}`,
  "",
  table,
  "",
  hitReport
    ? `Search on the seeded catalog: of ${hitReport.queries} real queries, ${hitReport.answerable} have every word in the catalog and ${hitReport.answerableHit} of those find a hit; ${hitReport.otherHit} of the other ${hitReport.queries - hitReport.answerable} find one through some of their words. ` +
      `Index: ${hitReport.docsPerShard.join("/")} documents per shard, ${hitReport.bytesPerDoc} snapshot bytes per document, restore ${hitReport.restoreMs.join("/")} ms per shard.`
    : "",
  (() => {
    const r = evaluateRecommendations();
    return `Recommendations (npm run reco:eval): hit-rate@10 of related on ${r.queries} held-out queries ${(r.related * 100).toFixed(1)}% vs ${(r.baseline * 100).toFixed(1)}% for the best-seller baseline.`;
  })(),
  hotCheckout
    ? `Hot-SKU checkout: ${hotCheckout.paid} orders paid for 100 units, ${hotCheckout.left} left; statuses ${JSON.stringify(hotCheckout.codes)}.`
    : "",
  bucketSellouts.length
    ? `Hot-SKU buckets (in-runtime, 2,000 buyers for 300 units each): ${bucketSellouts.map((r) => `${r.buckets} bucket${r.buckets > 1 ? "s" : ""}: ${r.granted} sold, oversell ${r.oversell}`).join("; ")}. ` +
      "Every object shares workerd's one thread here, so more buckets cannot add throughput on this machine; each bucket's share of the load is 1/N (docs/hot-skus.md)."
    : "",
  primitives.length
    ? `What one operation costs the one local thread (in-runtime, one caller in a loop; bench/runtime/primitives.test.ts): ${primitives.map((r) => `${r.name} ${r.us.toFixed(0)} µs`).join("; ")}.`
    : "",
  fanout
    ? `Auction fan-out (in-runtime): ${fanout.connections} WebSocket watchers of one listing, a bid each time; every watcher had the message p50 ${fanout.p50} ms / p99 ${fanout.p99} ms after the bid was sent, the last of them p50 ${fanout.all_p50} ms / p99 ${fanout.all_p99} ms.`
    : "",
  auctionRace
    ? `Auction race at the close (in-runtime): 200 bidders at once, then a second wave of 200 after the end: ${auctionRace.accepted} bids accepted, ${auctionRace.winners} winner, price ${auctionRace.price} (the rule over the accepted bids: ${auctionRace.rule_price}), ${auctionRace.accepted_after_end} accepted after the end.`
    : "",
  `Drift: the harness hello cost ${CONNECTIONS.map((c) => `${fixed(helloCpu[c], 0)} µs at the start and ${fixed(helloLaterCpu[c], 0)} µs after the app's rows (c=${c})`).join("; ")}. ` +
    "Each ratio by CPU is to the first; where the two differ by more than a tenth, the machine's speed moved during the run and the later rows' ratios move with it.",
  `Invariants: hot SKU ${holds} holds answered 201 (${moved} units taken), oversell ${oversell}; sell-out (1,000 buyers, 100 units) ${won}/${SELLOUT_STOCK} units won, ${sellAfter.stock_available} left.`,
  failures.length ? `\n**FAILED**: ${failures.join("; ")}` : "All invariants held.",
  "",
  `Reproduce: \`${reproduce}\``,
  "",
].join("\n");
// Search over a 100k synthetic catalog, in its own server (BENCH_SEARCH_100K=0 skips it).
let search100k = "";
if (!only && process.env.BENCH_SEARCH_100K !== "0") {
  await cleanup();
  const out = spawnSync(process.execPath, [join(ROOT, "bench", "search-100k.mjs")], {
    cwd: ROOT,
    env: CHILD_ENV,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  search100k =
    out.status === 0
      ? out.stdout.slice(out.stdout.indexOf("# Search over")).replace(/^# /, "### ")
      : `search-100k failed: ${out.stderr.slice(-300)}`;
}

mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
// A partial run (BENCH_ONLY) must not replace the full table.
writeFileSync(
  join(ROOT, "bench", "results", only ? "partial.md" : "latest.md"),
  search100k ? `${report}\n${search100k}` : report,
);
console.log(`\n${report}`);
await cleanup();
process.exit(failures.length ? 1 : 0);

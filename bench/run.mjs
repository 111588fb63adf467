#!/usr/bin/env node
// `npm run bench`: starts the Worker the way production runs it (workerd via
// wrangler, migrations applied, catalog seeded) next to a bare Hono "hello"
// Worker, loads each workload with autocannon from a separate process at
// 1, 16 and 64 connections after a warm-up (server and load on different cores
// where taskset exists), and prints one table: req/s, ratio to hello in the
// same run, p50, p99, errors. Exits non-zero when an invariant breaks
// (an oversell, a 5xx). Writes bench/results/latest.md.
//
//   BENCH_DURATION=10 BENCH_CONNECTIONS=1,16,64 npm run bench
import { spawn, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,16,64").split(",").map(Number);
const APP_PORT = 8791;
const HELLO_PORT = 8792;
const PERSIST = join(ROOT, ".wrangler", "bench-state");

const hasTaskset = spawnSync("taskset", ["-V"]).status === 0 && cpus().length >= 2;
const serverCores = hasTaskset ? (cpus().length >= 4 ? "0,1" : "0") : null;
const loadCores = hasTaskset ? (cpus().length >= 4 ? "2,3" : "1") : null;
const pinned = (cores, cmd, args) => (cores ? ["taskset", ["-c", cores, cmd, ...args]] : [cmd, args]);

const children = [];
function serve(args, port) {
  const [cmd, argv] = pinned(serverCores, WRANGLER, ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(port + 1000), "--show-interactive-dev-session=false", "--log-level", "error", ...args]);
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...CHILD_ENV, CI: "1" }, stdio: ["ignore", "ignore", "inherit"], detached: true });
  children.push(child);
  return child;
}
function cleanup() {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {}
  }
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

function load(spec) {
  const [cmd, argv] = pinned(loadCores, process.execPath, [join(ROOT, "bench", "load.mjs"), JSON.stringify(spec)]);
  const out = spawnSync(cmd, argv, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8", maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`load run failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

async function api(method, path, body, token, attempt = 0) {
  // wrangler's dev proxy may drop a kept-alive socket after a load run: retry once.
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

// ---- setup ------------------------------------------------------------------
const vars = ensureDevVars();
console.log("bench: migrating and seeding a fresh local state…");
rmSync(PERSIST, { recursive: true, force: true });
await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", PERSIST], { quiet: true, env: { CI: "1" } });
await seedLocal({ persistTo: PERSIST });
// Info-level access logs off: wrangler dev pipes every console line through the
// inspector to its terminal (~40% of a small request here), a cost production's
// asynchronous Workers Logs do not have. Warnings and errors still log.
serve(["--persist-to", PERSIST, "--var", "LOG_LEVEL:warn"], APP_PORT);
serve(["-c", join("bench", "hello", "wrangler.toml")], HELLO_PORT);
await Promise.all([waitFor(`http://127.0.0.1:${APP_PORT}/health`, 120_000), waitFor(`http://127.0.0.1:${HELLO_PORT}/`, 120_000)]);

const admin = await api("POST", "/auth/login", { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD });
const page = await api("GET", "/products?limit=100");
const productPaths = page.data.map((p) => `/products/${p.product_id}`);
const hot = page.data[0];
const HOT_STOCK = 1_000_000;
const hotBefore = await api("PATCH", `/products/${hot.product_id}`, { stock_available: HOT_STOCK }, admin.access_token);
if (hotBefore.stock_available !== HOT_STOCK) throw new Error("could not set the hot SKU's stock");
const soldOut = page.data[1];
const SELLOUT_STOCK = 100;
await api("PATCH", `/products/${soldOut.product_id}`, { stock_available: SELLOUT_STOCK }, admin.access_token);

const app = `http://127.0.0.1:${APP_PORT}`;
const auth = { authorization: `Bearer ${admin.access_token}` };
const workloads = [
  { name: "hello (bare Hono)", url: `http://127.0.0.1:${HELLO_PORT}/` },
  { name: "GET /health (D1 ping)", url: `${app}/health` },
  { name: "GET /products/{id}", url: app, paths: productPaths },
  { name: "POST /auth/login (scrypt)", url: `${app}/auth/login`, method: "POST", body: { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD } },
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
const rows = [];
const failures = [];
let helloRps = {};
let holds = 0;
for (const w of workloads) {
  for (const connections of CONNECTIONS) {
    const r = load({ ...w, connections, duration: DURATION, warmup: WARMUP });
    const codes = { ...r.statusCodes };
    const fivexx = Object.entries(codes).filter(([c]) => c.startsWith("5")).reduce((n, [, v]) => n + v.count, 0);
    if (w.uniqueBody) {
      for (const src of [r.statusCodes, r.warmupStatusCodes]) holds += src["201"]?.count ?? 0;
    }
    if (w.name.startsWith("hello")) helloRps[connections] = r.rps;
    const ratio = helloRps[connections] ? r.rps / helloRps[connections] : NaN;
    rows.push({ workload: w.name, connections, rps: r.rps, ratio, p50: r.p50, p99: r.p99, errors: r.errors + fivexx, non2xx: r.non2xx });
    if (fivexx > 0) failures.push(`${w.name} @${connections}: ${fivexx} responses 5xx`);
    console.log(`  ${w.name.padEnd(32)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(6)} req/s  x${ratio.toFixed(2)}  p50 ${r.p50} ms  p99 ${r.p99} ms`);
  }
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
const sell = load({ name: "sellout", url: `${app}/inventory/${soldOut.product_id}/holds`, method: "POST", headers: auth, body: { quantity: 1 }, uniqueBody: "sellout", connections: 64, amount: 1000 });
const won = sell.statusCodes["201"]?.count ?? 0;
const sellAfter = await api("GET", `/inventory/${soldOut.product_id}`, undefined, admin.access_token);
if (won !== SELLOUT_STOCK || sellAfter.stock_available !== 0) failures.push(`sell-out: ${won} of ${SELLOUT_STOCK} units won, ${sellAfter.stock_available} left`);

// ---- report -------------------------------------------------------------------
const env = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; server cores ${serverCores ?? "unpinned"}, load cores ${loadCores ?? "unpinned"}; ${DURATION}s runs after ${WARMUP}s warm-up`;
const reproduce = `BENCH_DURATION=${DURATION} BENCH_CONNECTIONS=${CONNECTIONS.join(",")} npm run bench`;
const table = [
  "| workload | connections | req/s | ratio to hello | p50 ms | p99 ms | errors |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.workload} | ${r.connections} | ${r.rps.toFixed(0)} | ${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : "-"} | ${r.p50} | ${r.p99} | ${r.errors} |`),
].join("\n");
const report = [
  `# Benchmark results`,
  "",
  `${new Date().toISOString()} · ${env}`,
  "",
  table,
  "",
  `Invariants: hot SKU ${holds} holds answered 201 (${moved} units taken), oversell ${oversell}; sell-out (1,000 buyers, 100 units) ${won}/${SELLOUT_STOCK} units won, ${sellAfter.stock_available} left.`,
  failures.length ? `\n**FAILED**: ${failures.join("; ")}` : "All invariants held.",
  "",
  `Reproduce: \`${reproduce}\``,
  "",
].join("\n");
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "latest.md"), report);
console.log(`\n${report}`);
cleanup();
process.exit(failures.length ? 1 : 0);

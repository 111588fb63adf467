#!/usr/bin/env node
// Search at 100k products: grows the real catalog to 100,000 synthetic products
// (scripts/catalog.mjs synthesize), serves it with 16 search shards, builds the
// index, then runs the real query mix at 1 and 16 connections. Prints p50/p99
// (goal: p99 <= 50 ms), the build time, documents per shard, snapshot bytes per
// document and restore time. Writes bench/results/search-100k.md.
//
//   npm run bench:search100k        (BENCH_DURATION, BENCH_PRODUCTS override)
import { spawn, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";
import { loadSeedCatalog, loadSeedQueries } from "../scripts/catalog.mjs";

const N = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 16);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const PORT = 8796;
const PERSIST = join(ROOT, ".wrangler", "bench-100k");
const base = `http://127.0.0.1:${PORT}`;
const hasTaskset = spawnSync("taskset", ["-V"]).status === 0 && cpus().length >= 2;
const pin = (cores, cmd, args) => (hasTaskset ? ["taskset", ["-c", cores, cmd, ...args]] : [cmd, args]);

const vars = ensureDevVars();
rmSync(PERSIST, { recursive: true, force: true });
let t = Date.now();
await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
await run(WRANGLER, ["d1", "migrations", "apply", "WAREHOUSE", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
const seeded = await seedLocal({ persistTo: PERSIST, synthetic: N });
const seedMs = Date.now() - t;
console.log(`seeded: ${seeded.summary} in ${seedMs} ms`);

const [cmd, argv] = pin("0", WRANGLER, [
  "dev",
  "--ip",
  "127.0.0.1",
  "--port",
  String(PORT),
  "--inspector-port",
  String(PORT + 1000),
  "--persist-to",
  PERSIST,
  "--var",
  `SEARCH_SHARDS:${SHARDS}`,
  "--var",
  "LOG_LEVEL:warn",
  "--var",
  "WRITE_LIMITS:off",
  "--show-interactive-dev-session=false",
  "--log-level",
  "error",
]);
const server = spawn(cmd, argv, {
  cwd: ROOT,
  env: { ...CHILD_ENV, CI: "1" },
  stdio: ["ignore", "ignore", "inherit"],
  detached: true,
});
const stop = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
};
process.on("exit", stop);
await waitFor(`${base}/health`, 120_000);

// Build every shard from D1 (the first query does it).
t = Date.now();
const first = await fetch(`${base}/search?q=phone`);
if (!first.ok) throw new Error(`first search failed: ${first.status} ${await first.text()}`);
const buildMs = Date.now() - t;
console.log(`index built in ${buildMs} ms`);

const admin = await (
  await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD }),
  })
).json();
const stats = (
  await (
    await fetch(`${base}/search/stats?reload=true`, { headers: { authorization: `Bearer ${admin.access_token}` } })
  ).json()
).data;
const docs = stats.reduce((s, x) => s + x.documents, 0);
const bytes = stats.reduce((s, x) => s + x.snapshot_bytes, 0);
const restore = stats
  .map((x) => x.restore_ms)
  .filter((x) => x !== null)
  .sort((a, b) => a - b);

// A restored shard answers the most popular queries ahead of demand; measure once that is done (steady state).
t = Date.now();
for (;;) {
  const now = (
    await (await fetch(`${base}/search/stats`, { headers: { authorization: `Bearer ${admin.access_token}` } })).json()
  ).data;
  if (!now.some((x) => x.warming) || Date.now() - t > 120_000) break;
  await new Promise((r) => setTimeout(r, 250));
}
const warmMs = Date.now() - t;
console.log(`popular queries answered ahead of demand in ${warmMs} ms`);

// Heap per document, weighed in Node with the same index configuration (workerd does not expose heap figures).
const heapRun = spawnSync(
  process.execPath,
  ["--expose-gc", "--import", "tsx", join(ROOT, "bench", "search-heap.ts"), String(N), String(SHARDS)],
  { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" },
);
const heap = heapRun.status === 0 ? JSON.parse(heapRun.stdout.trim().split("\n").at(-1)) : null;
if (!heap) console.error(heapRun.stderr);

const catalog = loadSeedCatalog();
const queries = loadSeedQueries(catalog.products);
let x = 7;
const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const total = queries.reduce((s, q) => s + q.popularity, 0);
const paths = Array.from({ length: 2000 }, () => {
  let r = rand() * total;
  for (const q of queries) if ((r -= q.popularity) <= 0) return `/search?q=${encodeURIComponent(q.query)}&limit=20`;
  return "/search?q=tv";
});
const rows = [];
for (const connections of [1, 16]) {
  const [lc, la] = pin("1", process.execPath, [
    join(ROOT, "bench", "load.mjs"),
    JSON.stringify({ url: base, paths, connections, duration: DURATION, warmup: 3 }),
  ]);
  const out = spawnSync(lc, la, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
  if (out.status !== 0) throw new Error(out.stderr);
  const r = JSON.parse(out.stdout);
  rows.push({ connections, ...r });
  console.log(`  search mix @${connections}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
}
stop();

const report = [
  `# Search over ${docs.toLocaleString("en-US")} products (${SHARDS} shards)`,
  "",
  `${new Date().toISOString()} · ${cpus().length} cores; server on core 0, load on core 1; ${DURATION}s runs after a 3s warm-up`,
  "",
  "| connections | req/s | p50 ms | p99 ms | errors |",
  "|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) => `| ${r.connections} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors + (r.non2xx ?? 0)} |`,
  ),
  "",
  `Seed ${Math.round(seedMs / 1000)} s; first query built the index in ${Math.round(buildMs / 1000)} s; ${Math.round(docs / SHARDS)} documents per shard; ` +
    `${Math.round(bytes / Math.max(1, docs))} snapshot bytes per document; restore from snapshot p50 ${restore[Math.floor(restore.length / 2)]} ms, max ${restore[restore.length - 1]} ms per shard.`,
  `After a restore, each shard answered the 300 most popular queries ahead of demand in ${(warmMs / 1000).toFixed(1)} s (all shards, one core); the runs start after that.`,
  heap
    ? `Heap per indexed document ${heap.bytes_per_document} bytes (one shard of ${heap.documents} documents: ${(heap.heap_bytes / 2 ** 20).toFixed(1)} MB; weighed in Node by bench/search-heap.ts), so ${heap.documents_per_64mb} documents fit a 64 MB shard.`
    : "Heap per document: not measured (bench/search-heap.ts failed).",
  `Goal: p99 <= 50 ms at 100k products.`,
  "",
  `Reproduce: \`BENCH_PRODUCTS=${N} BENCH_SHARDS=${SHARDS} BENCH_DURATION=${DURATION} npm run bench:search100k\``,
  "",
].join("\n");
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "search-100k.md"), report);
console.log(`\n${report}`);
process.exit(0);

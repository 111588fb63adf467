#!/usr/bin/env node
// Inclusive time by function from a saved profile (bench/profile.mjs writes .wrangler/profile-<workload>.cpuprofile):
// where a slow path's time goes including its callees, which self time alone hides.
//
//   node bench/profile-tree.mjs [checkout] [filter-regex] [rows=40]
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [workload = "checkout", filter = "", rows = "40"] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(join(process.cwd(), ".wrangler", `profile-${workload}.cpuprofile`), "utf8"));
// Counted samples, as bench/profile.mjs counts them (a sample's timeDelta includes other isolates' time).
const interval = (prof.endTime - prof.startTime) / Math.max(1, prof.samples.length);
const self = new Map();
for (const id of prof.samples) self.set(id, (self.get(id) ?? 0) + interval);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || "(anonymous)"}:${n.callFrame.lineNumber + 1}`;
const total = [...self.values()].reduce((a, b) => a + b, 0);
// Each sample's time counts once for every distinct function on its stack.
const inclusive = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
const re = new RegExp(filter);
const out = [...inclusive.entries()]
  .filter(([k]) => re.test(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(rows));
console.log(
  `inclusive time, ${(total / 1000).toFixed(0)} ms sampled\n` +
    out
      .map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`)
      .join("\n"),
);

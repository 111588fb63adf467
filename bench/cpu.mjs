// CPU time the server's processes spend, from /proc: the bench's figure that a noisy
// machine does not move. A shared VM's steal (30 to 60% at times on these machines) changes
// req/s from one minute to the next; the user and system time workerd spends per request
// does not include steal, so its ratio to the hello's is comparable across runs.
import { execSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const name = text.slice(text.indexOf("(") + 1, close);
    const f = text.slice(close + 2).split(" ");
    return { name, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The workerd processes under `rootPid` (Miniflare's children, or a taskset-started workerd). */
export function workerdPids(rootPid = process.pid) {
  const all = new Map();
  for (const d of readdirSync("/proc")) if (/^\d+$/.test(d)) all.set(Number(d), stat(d));
  const under = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === rootPid) return true;
      p = all.get(p)?.ppid ?? 0;
    }
    return false;
  };
  return [...all.entries()].filter(([pid, s]) => s?.name.startsWith("workerd") && under(pid)).map(([pid]) => pid);
}

/** User plus system CPU milliseconds of `pids` so far (null where /proc is missing). */
export function cpuMs(pids) {
  if (!pids?.length) return null;
  let ticks = 0;
  for (const pid of pids) ticks += stat(pid)?.ticks ?? 0;
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Waits until `pids` are idle (under `idlePct` of a core in each of `idleSeconds` seconds in a row),
 * at most `maxMs`: the timed runs measure the request path, not the background work seeding and
 * restocking leave behind (queue consumers, search shards writing their snapshots), which
 * production runs in other invocations. Several quiet seconds, not one: a search shard writes its
 * snapshot 5 s after its last change, so one quiet second after a reindex let the snapshot (7% of
 * a profile) land inside the timed run. Resolves to how long it waited and the last second's load.
 */
export async function quiesce(pids, { idlePct = 3, idleSeconds = 6, maxMs = 120_000 } = {}) {
  const started = Date.now();
  let busyPct = null;
  let quiet = 0;
  while (Date.now() - started < maxMs) {
    const before = cpuMs(pids);
    if (before === null) break;
    await new Promise((r) => setTimeout(r, 1000));
    busyPct = ((cpuMs(pids) - before) / 1000) * 100;
    quiet = busyPct < idlePct ? quiet + 1 : 0;
    if (quiet >= idleSeconds) break;
  }
  return { waitedMs: Date.now() - started, busyPct };
}

// Where a bench keeps its local D1 and Durable Object state. Locally every D1 write and every
// Durable Object storage commit is a SQLite transaction that fsyncs its file on the Worker's one
// thread (strace: an fsync per commit); on Cloudflare that durability is the storage service's
// work, not the isolate's, so the benches keep their state in memory (tmpfs) where the machine has
// one, and `.wrangler/<name>` links to it for the tools that read it afterwards (bench/paths.mjs).
// BENCH_ON_DISK=1 keeps it on disk, to see what the local fsyncs cost.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib.mjs";

export function benchStateDir(name) {
  const link = join(ROOT, ".wrangler", name);
  const linked = existsSync(link) && lstatSync(link).isSymbolicLink();
  if (process.env.BENCH_ON_DISK === "1" || !existsSync("/dev/shm")) {
    if (linked) rmSync(link);
    return link;
  }
  const dir = join("/dev/shm", `edge-marketplace-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (linked || existsSync(link)) rmSync(link, { recursive: true, force: true });
  mkdirSync(join(ROOT, ".wrangler"), { recursive: true });
  symlinkSync(dir, link);
  return dir;
}

/** A temp dir in memory for the in-runtime bench's test pool (null: keep the default, on disk). */
export function inMemoryTmp() {
  return process.env.BENCH_ON_DISK === "1" || !existsSync("/dev/shm") ? null : "/dev/shm";
}

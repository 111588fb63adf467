// Serving for `npm run bench`, the way production runs a Worker: workerd with
// the Worker's bindings (local D1, Durable Objects, Queues), through Miniflare's
// own API. No wrangler dev proxy worker, no inspector, no live reload. The bare
// Hono hello is served the same way, and also by a plain `workerd serve` with a
// generated config, so the harness's own cost is a figure in every run.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { CHILD_ENV, ROOT, WRANGLER, readVars } from "../scripts/lib.mjs";

const BUILD = join(ROOT, ".wrangler", "bench-build");
const WORKERD = join(ROOT, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");

/** Bundles a Worker exactly as `wrangler deploy` would (a dry run), into `outdir`. */
function bundle(configPath, outdir) {
  const out = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, "-c", configPath], {
    cwd: ROOT,
    env: { ...CHILD_ENV, CI: "1" },
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`bundling ${configPath} failed:\n${out.stdout}\n${out.stderr}`);
  return join(outdir, "index.js");
}

/**
 * Starts the marketplace Worker in its own workerd (Miniflare), with the
 * persisted local state in `persistTo` (what `wrangler d1 migrations apply
 * --persist-to` wrote). `vars` override wrangler.toml's and .dev.vars' values.
 * Resolves to { url, dispose }. `inspectorPort` opens workerd's inspector (profiling only).
 */
export async function serveApp({ port, persistTo, vars = {}, inspectorPort }) {
  const configPath = join(ROOT, "wrangler.toml");
  const scriptPath = bundle(configPath, join(BUILD, "app"));
  // The bundle is one ES module, so wrangler's module rules have nothing to match.
  // No static assets: on Cloudflare the asset routing (is this path a file in public/?) runs
  // before the Worker and outside its isolate, and a path that is not a file reaches the Worker
  // directly. Miniflare emulates that routing with an RPC proxy, a router worker and an asset
  // worker in front, in JavaScript on the same thread: measured with a handler that answers
  // before any app code, 892 µs of workerd CPU per request with them and 98 µs without (the
  // bare hello: 114 to 175 µs). The bench loads only Worker routes, never a file.
  const {
    workerOptions: { modulesRules: _rules, assets: _assets, ...workerOptions },
  } = unstable_getMiniflareWorkerOptions(configPath);
  // wrangler describes bindings in Miniflare's v4 option shape, which Miniflare converts.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      // Only bench/profile.mjs asks for an inspector (to take a CPU profile); the bench never does.
      ...(inspectorPort ? { inspectorPort } : {}),
      // Miniflare would otherwise report every request to Node over its loopback: a cost production does not have.
      logRequests: false,
      resourcePersistencePath: join(persistTo, "v3"),
      // Worker logs (warnings and errors) go to this process's stderr, as Workers Logs would collect them.
      handleRuntimeStdio: (stdout, stderr) => {
        stdout.resume();
        stderr.pipe(process.stderr);
      },
      workers: [
        {
          ...workerOptions,
          name: "edge-marketplace",
          // A socket straight to the Worker, not through Miniflare's dev entry worker, which
          // rewrites every request in a JS hop.
          unsafeDirectSockets: [{ host: "127.0.0.1", port }],
          modules: true,
          scriptPath,
          // Cron triggers fire only when a scheduler calls them; the bench does not (production runs them elsewhere).
          cronTriggers: [],
          bindings: { ...workerOptions.bindings, ...readVars(join(ROOT, ".dev.vars")), ...vars },
        },
      ],
    }),
  );
  await mf.ready;
  return { url: `http://127.0.0.1:${port}`, dispose: () => mf.dispose() };
}

/** The bare Hono hello in its own workerd, served through Miniflare like the app. */
export async function serveHello({ port }) {
  const scriptPath = bundle(join(ROOT, "bench", "hello", "wrangler.toml"), join(BUILD, "hello"));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      logRequests: false,
      workers: [
        {
          name: "hello",
          unsafeDirectSockets: [{ host: "127.0.0.1", port }],
          modules: true,
          scriptPath,
          compatibilityDate: "2026-11-01",
        },
      ],
    }),
  );
  await mf.ready;
  return { url: `http://127.0.0.1:${port}`, dispose: () => mf.dispose() };
}

/**
 * The same hello under a plain `workerd serve` and a generated config: the floor
 * the harness is judged against. `pin` is a taskset core list (or null).
 */
export async function servePlainHello({ port, pin }) {
  const dir = join(BUILD, "hello-plain");
  mkdirSync(dir, { recursive: true });
  bundle(join(ROOT, "bench", "hello", "wrangler.toml"), dir);
  const config = join(dir, "config.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .hello)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const hello :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "index.js")],
  compatibilityDate = "2026-11-01",
);
`,
  );
  const [cmd, args] = pin ? ["taskset", ["-c", pin, WORKERD, "serve", config]] : [WORKERD, ["serve", config]];
  const child = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    dispose: async () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    },
  };
}

// Helpers shared by the project's Node scripts (start, seed, bench).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "node_modules", ".bin");
export const WRANGLER = join(BIN, "wrangler");
/** Children run with the project's Node 22 (the `node` devDependency) first on PATH, however this script was started. */
export const CHILD_ENV = { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}` };

/** Runs a command to completion, streaming its output; rejects on a non-zero exit. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...CHILD_ENV, ...opts.env },
    });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${out}`)),
    );
  });
}

/** Parses a dotenv-style file into an object (no interpolation). */
export function readVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^['"]|['"]$/g, "");
  }
  return vars;
}

/**
 * Local secrets for `npm start`: created once with fresh random values, so a
 * clone never runs on a key that is published anywhere.
 */
export function ensureDevVars() {
  const path = join(ROOT, ".dev.vars");
  const vars = readVars(path);
  let changed = false;
  const set = (k, v) => {
    if (!vars[k]) {
      vars[k] = v;
      changed = true;
    }
  };
  set("ENVIRONMENT", "development");
  set("JWT_KEYS", JSON.stringify({ current: "local-1", keys: { "local-1": randomBytes(32).toString("base64url") } }));
  set("ADMIN_EMAIL", "admin@marketplace.local");
  set("LOCAL_ADMIN_PASSWORD", randomBytes(12).toString("base64url"));
  set("WALLET_KEY", randomBytes(32).toString("base64url"));
  set("PAYMENT_PROVIDER", "test");
  // A local webhook receiver (http://127.0.0.1:…) may be registered under npm start.
  set("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1,localhost");
  // Every local client shares 127.0.0.1: per-IP sign-up limits would stop a test suite.
  set("SIGNUP_LIMIT_PER_HOUR", "100000");
  if (changed) {
    const body = Object.entries(vars)
      .map(([k, v]) => `${k}=${/[\s"{}]/.test(v) ? `'${v}'` : v}`)
      .join("\n");
    writeFileSync(path, `# Local secrets for npm start (git-ignored). Delete this file to regenerate.\n${body}\n`, {
      mode: 0o600,
    });
  }
  return vars;
}

/** Polls a URL until it answers 200, or throws after the timeout. */
export async function waitFor(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Every TypeScript file under `dir`, recursively (the source checks: check-tables, check-file-size). */
export function* sourceFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry)) yield path;
  }
}

#!/usr/bin/env node
// `npm start`: the whole store on this machine. Local D1, Durable Objects and
// Queues (workerd through wrangler), migrations applied, catalog seeded, served
// on 127.0.0.1:8787 (PORT overrides). Safe to run again: seeding is idempotent.
import { spawn } from "node:child_process";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "./lib.mjs";
import { seedLocal } from "./seed.mjs";

const port = Number(process.env.PORT ?? 8787);
const host = "127.0.0.1";
const vars = ensureDevVars();

console.log("applying D1 migrations (local)…");
await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local"], { env: { CI: "1" }, quiet: true });
await run(WRANGLER, ["d1", "migrations", "apply", "WAREHOUSE", "--local"], { env: { CI: "1" }, quiet: true });
await run(WRANGLER, ["d1", "migrations", "apply", "ORDERS_DB_1", "--local"], { env: { CI: "1" }, quiet: true }); // used when ORDER_SHARDS=2

console.log("seeding the catalog (local)…");
const seeded = await seedLocal({ adminEmail: vars.ADMIN_EMAIL, adminPassword: vars.LOCAL_ADMIN_PASSWORD });
console.log(`  ${seeded.summary}`);

const server = spawn(WRANGLER, ["dev", "--ip", host, "--port", String(port), "--show-interactive-dev-session=false"], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...CHILD_ENV, CI: "1" },
});
const stop = () => server.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));

await waitFor(`http://${host}:${port}/health`, 120_000);
console.log(
  [
    "",
    `marketplace API ready on http://${host}:${port}`,
    `  docs:      http://${host}:${port}/docs`,
    `  openapi:   http://${host}:${port}/openapi.json`,
    `  admin:     ${vars.ADMIN_EMAIL} / ${vars.LOCAL_ADMIN_PASSWORD}  (from .dev.vars)`,
    `  sellers:   ${seeded.sellerHint}`,
    "",
  ].join("\n"),
);

#!/usr/bin/env node
// `npm run test:restart`: a restart of the local server mid-load loses no
// acknowledged order. Buyers check out against one product while the server is
// killed (SIGKILL) and started again on the same on-disk state; afterwards every
// order that was answered 201 exists, is paid and holds its item, and the stock
// adds up: available + sold (+ still held, which expires) = the starting stock.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";

const PORT = 8798;
const BASE = `http://127.0.0.1:${PORT}`;
const PERSIST = join(ROOT, ".wrangler", "restart-state");
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

let server;
async function start() {
  server = spawn(
    WRANGLER,
    [
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
      "LOG_LEVEL:warn",
      "--var",
      "WRITE_LIMITS:off",
      "--show-interactive-dev-session=false",
      "--log-level",
      "error",
    ],
    {
      cwd: ROOT,
      env: { ...CHILD_ENV, CI: "1" },
      stdio: ["ignore", "ignore", "ignore"],
      detached: true,
    },
  );
  await waitFor(`${BASE}/health`, 120_000);
}
const kill = () => {
  try {
    process.kill(-server.pid, "SIGKILL");
  } catch {}
};
process.on("exit", kill);

async function api(method, path, body, token, headers = {}) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : null };
}

await start();
const admin = (await api("POST", "/auth/login", { email: vars.ADMIN_EMAIL, password: vars.LOCAL_ADMIN_PASSWORD })).data;
const product = (await api("GET", "/products?limit=1")).data.data[0];
const START = 300;
await api("PATCH", `/products/${product.product_id}`, { stock_available: START }, admin.access_token);

// Buyers sign up before the load (scrypt is slow); each checks out once.
const buyers = [];
for (let i = 0; i < 40; i++) {
  const r = await api("POST", "/auth/signup", {
    email: `restart${Date.now()}${i}@example.com`,
    username: `rs${Date.now().toString(36)}${i}`,
    password: "password123",
  });
  buyers.push(r.data);
  await api("POST", "/cart/add", { product_id: product.product_id, quantity: 1 }, r.data.access_token);
}

const acknowledged = [];
let killed = false;
const load = Promise.all(
  buyers.map(async (b, i) => {
    await new Promise((r) => setTimeout(r, i * 60));
    try {
      const r = await api(
        "POST",
        "/orders",
        { payment_method: "pm_card_visa", shipping_address: "1 Restart Rd" },
        b.access_token,
        { "Idempotency-Key": `restart-${i}` },
      );
      if (r.status === 201) acknowledged.push({ order: r.data, buyer: b });
    } catch {
      // the connection died with the server: not acknowledged
    }
  }),
);
await new Promise((r) => setTimeout(r, 900));
kill();
killed = true;
await load;
console.log(`killed mid-load: ${acknowledged.length} of ${buyers.length} checkouts were acknowledged before the kill`);
await start();

const failures = [];
for (const { order, buyer } of acknowledged) {
  const r = await api("GET", `/orders/${order.order_id}`, undefined, buyer.access_token);
  if (r.status !== 200 || r.data.status !== "paid" || r.data.items.length !== 1)
    failures.push(`order ${order.order_id}: ${r.status} ${r.data?.status}`);
}
const stock = (await api("GET", `/inventory/${product.product_id}`, undefined, admin.access_token)).data;
const sold = (await api("GET", `/seller/orders?limit=100&status=paid`, undefined, admin.access_token)).status;
const paidCount = acknowledged.length;
if (stock.stock_available + stock.reserved > START - paidCount)
  failures.push(`stock: ${JSON.stringify(stock)} after ${paidCount} acknowledged orders of ${START}`);
if (stock.stock_available + stock.reserved + paidCount > START) failures.push("more units than the starting stock");
console.log(
  `after restart: ${paidCount} acknowledged orders all found paid: ${failures.length === 0}; stock ${JSON.stringify(stock)} (start ${START}); killed=${killed}; ${sold}`,
);
kill();
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("restart test passed: no acknowledged order lost");
process.exit(0);

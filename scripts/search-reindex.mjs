#!/usr/bin/env node
// `npm run search:reindex`: rebuilds every search shard from D1 on a running
// server (npm start), as the admin from .dev.vars. URL overrides the target.
import { readVars } from "./lib.mjs";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

const vars = readVars(join(ROOT, ".dev.vars"));
const base = process.env.URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
const login = await fetch(`${base}/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    email: process.env.ADMIN_EMAIL ?? vars.ADMIN_EMAIL,
    password: process.env.ADMIN_PASSWORD ?? vars.LOCAL_ADMIN_PASSWORD,
  }),
});
if (!login.ok) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
const { access_token } = await login.json();
const res = await fetch(`${base}/search/reindex`, {
  method: "POST",
  headers: { authorization: `Bearer ${access_token}` },
});
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);

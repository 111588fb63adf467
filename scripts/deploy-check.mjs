#!/usr/bin/env node
// `npm run deploy:check -- --env staging|production`: refuses a deploy whose configuration still
// has placeholders (database ids), or the local-only settings a deployed store must not run on.
// The Worker checks its providers and secrets itself at run time (src/middleware/production-guard.ts);
// database ids are only visible here.
import { unstable_readConfig } from "wrangler";

const args = process.argv.slice(2);
const env = args[args.indexOf("--env") + 1];
if (!args.includes("--env") || !env) {
  console.error("usage: npm run deploy:check -- --env staging|production");
  process.exit(2);
}
const config = unstable_readConfig({ config: "wrangler.toml", env }, { hideWarnings: true });
const problems = [];
const PLACEHOLDER = /^(0{8}-0{4}-0{4}-0{4}-0{12}|0{8}-0{4}-0{4}-0{4}-0{11}\d|1{8}-1{4}-1{4}-1{4}-\d{12}|REPLACE.*)$/i;
for (const db of config.d1_databases ?? []) {
  if (!db.database_id || PLACEHOLDER.test(db.database_id))
    problems.push(
      `d1 ${db.binding} (${db.database_name}): database_id is a placeholder; run \`wrangler d1 create ${db.database_name}\` and put its id here`,
    );
}
const vars = config.vars ?? {};
if (vars.ENVIRONMENT !== env) problems.push(`vars.ENVIRONMENT is "${vars.ENVIRONMENT}", not "${env}"`);
for (const [key, bad] of [
  ["EMAIL_PROVIDER", "sink"],
  ["SMS_PROVIDER", "sink"],
  ["PAYMENT_PROVIDER", "test"],
]) {
  if (vars[key] === bad) problems.push(`vars.${key} is "${bad}"`);
}
if (vars.WEBHOOK_ALLOWED_HOSTS) problems.push("vars.WEBHOOK_ALLOWED_HOSTS must be empty");
const ids = (config.ratelimits ?? []).map((r) => r.namespace_id);
if (new Set(ids).size !== ids.length) problems.push("ratelimits namespace_ids must be unique");
if (problems.length) {
  console.error(`deploy check for ${env} failed:\n  - ${problems.join("\n  - ")}`);
  process.exit(1);
}
console.log(
  `deploy check for ${env}: ok (${(config.d1_databases ?? []).length} databases, ${(config.queues?.producers ?? []).length} queues)`,
);

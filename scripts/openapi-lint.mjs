// `npm run lint:openapi`: Redocly's recommended rules (redocly.yaml) over openapi/openapi.json. redocly
// fails only on errors; this fails on warnings too, printing each problem it found.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, CHILD_ENV, ROOT } from "./lib.mjs";

const out = spawnSync(join(BIN, "redocly"), ["lint", "openapi/openapi.json", "--format", "json"], {
  cwd: ROOT,
  env: CHILD_ENV,
  encoding: "utf8",
});
let report;
try {
  report = JSON.parse(out.stdout);
} catch {
  console.error(`redocly lint printed no report (exit ${out.status}):\n${out.stdout}\n${out.stderr}`);
  process.exit(1);
}
const { errors, warnings, ignored } = report.totals;
for (const p of report.problems) {
  console.error(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? "?"}`);
}
console.log(
  `redocly lint openapi/openapi.json: ${errors} errors, ${warnings} warnings (${ignored} ignored by .redocly.lint-ignore.yaml)`,
);
process.exit(errors + warnings === 0 ? 0 : 1);

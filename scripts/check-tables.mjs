// Part of `npm run check:deps`: no module names another domain's table in its SQL text. The owners
// are in scripts/table-owners.cjs; dependency-cruiser checks the drizzle side (who imports which
// schema module), this checks the SQL written by hand (FROM, JOIN, INTO, UPDATE, DELETE FROM).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { ROOT, sourceFiles } from "./lib.mjs";

const OWNERS = createRequire(import.meta.url)("./table-owners.cjs");

/** table name -> { domain, owners: RegExp[] } */
const tables = new Map();
for (const [domain, { schema = `src/db/schema/${domain}.ts`, owners }] of Object.entries(OWNERS)) {
  const text = readFileSync(join(ROOT, schema), "utf8");
  const names = [...text.matchAll(/sqliteTable\(\s*"(\w+)"/g)].map((m) => m[1]);
  if (!names.length) throw new Error(`${schema} declares no table`);
  for (const name of names) tables.set(name, { domain, owners: owners.map((o) => new RegExp(o)) });
}

const problems = [];
for (const path of sourceFiles(join(ROOT, "src"))) {
  const file = relative(ROOT, path);
  if (file.startsWith("src/db/") || /\.test\.tsx?$/.test(file)) continue;
  const text = readFileSync(path, "utf8");
  for (const m of text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)\b/g)) {
    const table = tables.get(m[1]);
    if (!table || table.owners.some((o) => o.test(file))) continue;
    const line = text.slice(0, m.index).split("\n").length;
    problems.push(`${file}:${line} names ${m[1]}, a table of ${table.domain}`);
  }
}
if (problems.length) {
  console.error(`${problems.length} uses of another domain's tables:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `tables: every SQL text names only its own domain's tables (${tables.size} tables, scripts/table-owners.cjs)`,
);

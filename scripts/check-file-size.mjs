// Part of `npm run lint`: a file in src/ is at most 300 lines, or says why it is longer in a comment
// that starts "Longer than 300 lines:" (a Durable Object whose methods share one in-memory state,
// a schema file that mirrors the contract). A file that grows past the limit without one fails.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, sourceFiles } from "./lib.mjs";

const LIMIT = 300;
const REASON = /Longer than 300 lines: \S/;

const long = [];
const unexplained = [];
for (const path of sourceFiles(join(ROOT, "src"))) {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines <= LIMIT) continue;
  const file = relative(ROOT, path);
  long.push(`${file} (${lines})`);
  if (!REASON.test(text)) unexplained.push(`${file}: ${lines} lines`);
}
if (unexplained.length) {
  console.error(
    `over ${LIMIT} lines with no "Longer than ${LIMIT} lines:" reason (split it, or say why not):\n  ${unexplained.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(`file size: ${long.length} files in src/ over ${LIMIT} lines, each with its reason: ${long.join(", ")}`);

/**
 * Structured JSON logs, one object a line, picked up by Workers observability.
 * Callers pass fields explicitly; nothing here serialises request bodies, so
 * passwords, tokens and card data cannot leak through a log line.
 */
type Level = "debug" | "info" | "warn" | "error";

const REDACTED_KEYS = /pass(word)?|secret|token|authorization|card|cvc|cookie/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = REDACTED_KEYS.test(k) ? "[redacted]" : v;
  return out;
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = RANK.info;

/** Sets the minimum level from the LOG_LEVEL var (default info); called once per request with the env. */
export function setLogLevel(level: string | undefined): void {
  threshold = RANK[(level ?? "info") as Level] ?? RANK.info;
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level] < threshold) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...redact(fields) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error_name: err.name, error_message: err.message, stack: err.stack };
  return { error_message: String(err) };
}

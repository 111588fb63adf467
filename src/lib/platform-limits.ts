import { config } from "./config";
/**
 * Cloudflare's published limits, enforced where the local simulation does not enforce them itself
 * (https://developers.cloudflare.com/d1/platform/limits/,
 * https://developers.cloudflare.com/queues/platform/limits/,
 * https://developers.cloudflare.com/durable-objects/platform/limits/).
 *
 * With `LIMIT_CHECKS = "on"` (every test run) each invocation gets its own checked view of the
 * bindings: going over a limit throws PlatformLimitExceeded naming it, so a path that would fail
 * in production fails its test instead. Production leaves the var unset and pays nothing.
 */
export const PLATFORM_LIMITS = {
  /** D1 and Durable Object SQL: bound parameters per statement. */
  boundParameters: 100,
  /** D1: bytes of SQL in one statement. */
  statementBytes: 100_000,
  /** D1: bytes of a LIKE or GLOB pattern. */
  likePatternBytes: 50,
  /** D1: arguments to one SQL function. */
  functionArguments: 32,
  /** Workers (paid): D1 queries, batch statements included, per invocation. */
  queriesPerInvocation: 1_000,
  /** Queues: bytes of one message. */
  queueMessageBytes: 128 * 1024,
  /** Queues: messages in one sendBatch. */
  batchMessages: 100,
  /** Queues: bytes in one sendBatch. */
  batchBytes: 256 * 1024,
  /** Workers and Durable Objects: memory of one isolate or object. */
  objectMemoryBytes: 128 * 1024 * 1024,
} as const;

/**
 * Heap per indexed search document, weighed by bench/search-heap.ts (workerd exposes no heap
 * figure, so the shard cannot read its own; docs/search-scaling.md). A shard's index may take at
 * most half an object's memory: the rest is the runtime, caches and the request in flight.
 */
export const SEARCH_HEAP_BYTES_PER_DOCUMENT = 8_200;

/** Refuses to grow a search shard past its share of an object's 128 MB (with LIMIT_CHECKS on). */
export function checkSearchShardSize(documents: number, env: { LIMIT_CHECKS?: string }): void {
  if (!config(env).limitChecks) return;
  const bytes = documents * SEARCH_HEAP_BYTES_PER_DOCUMENT;
  if (bytes > PLATFORM_LIMITS.objectMemoryBytes / 2) {
    throw new PlatformLimitExceeded(
      "objectMemoryBytes",
      `a search shard of ${documents} documents holds about ${Math.round(bytes / 1048576)} MB; raise SEARCH_SHARDS`,
    );
  }
}

export type PlatformLimit = keyof typeof PLATFORM_LIMITS;

export class PlatformLimitExceeded extends Error {
  constructor(
    readonly limit: PlatformLimit,
    detail: string,
  ) {
    super(`platform limit exceeded: ${limit} (${PLATFORM_LIMITS[limit]}): ${detail}`);
    this.name = "PlatformLimitExceeded";
  }
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** The placeholders of a statement in binding order, and whether each is a LIKE/GLOB pattern. */
function placeholders(sql: string): { index: number; pattern: boolean }[] {
  const out: { index: number; pattern: boolean }[] = [];
  const re = /'(?:[^']|'')*'|\?(\d*)/g;
  let next = 0;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (m[0].startsWith("'")) continue;
    const index = m[1] ? Number(m[1]) - 1 : next;
    next = index + 1;
    out.push({ index, pattern: /\b(LIKE|GLOB)\s*$/i.test(sql.slice(Math.max(0, m.index - 12), m.index)) });
  }
  return out;
}

/** The largest argument count of any function call in the SQL (string literals skipped). */
function maxFunctionArguments(sql: string): number {
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  let max = 0;
  const stack: number[] = [];
  const isCall: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(") {
      isCall.push(
        /[A-Za-z_][A-Za-z0-9_]*\s*$/.test(text.slice(Math.max(0, i - 40), i)) &&
          !/\b(IN|VALUES|AS)\s*$/i.test(text.slice(Math.max(0, i - 10), i)),
      );
      stack.push(1);
    } else if (ch === ")") {
      const args = stack.pop() ?? 0;
      if (isCall.pop()) max = Math.max(max, args);
    } else if (ch === "," && stack.length) stack[stack.length - 1]++;
  }
  return max;
}

export function checkStatement(sql: string, params: readonly unknown[] = []): void {
  if (bytes(sql) > PLATFORM_LIMITS.statementBytes)
    throw new PlatformLimitExceeded("statementBytes", `${bytes(sql)} bytes: ${sql.slice(0, 80)}…`);
  if (params.length > PLATFORM_LIMITS.boundParameters)
    throw new PlatformLimitExceeded("boundParameters", `${params.length} values: ${sql.slice(0, 80)}…`);
  for (const lit of sql.matchAll(/\b(?:LIKE|GLOB)\s+'((?:[^']|'')*)'/gi)) {
    if (bytes(lit[1]) > PLATFORM_LIMITS.likePatternBytes)
      throw new PlatformLimitExceeded("likePatternBytes", `literal pattern of ${bytes(lit[1])} bytes`);
  }
  for (const p of placeholders(sql)) {
    const v = params[p.index];
    if (p.pattern && typeof v === "string" && bytes(v) > PLATFORM_LIMITS.likePatternBytes) {
      throw new PlatformLimitExceeded("likePatternBytes", `bound pattern of ${bytes(v)} bytes`);
    }
  }
  const args = maxFunctionArguments(sql);
  if (args > PLATFORM_LIMITS.functionArguments)
    throw new PlatformLimitExceeded("functionArguments", `a function with ${args} arguments: ${sql.slice(0, 80)}…`);
}

/** Counts D1 queries of one invocation. */
class QueryBudget {
  used = 0;
  spend(n: number, what: string): void {
    this.used += n;
    if (this.used > PLATFORM_LIMITS.queriesPerInvocation)
      throw new PlatformLimitExceeded("queriesPerInvocation", `${this.used} queries; the last: ${what.slice(0, 80)}`);
  }
}

const INNER = Symbol("inner");

class CheckedStatement {
  [INNER]: D1PreparedStatement;
  constructor(
    private readonly sql: string,
    inner: D1PreparedStatement,
    private readonly budget: QueryBudget,
    private readonly params: unknown[] = [],
  ) {
    this[INNER] = inner;
  }
  bind(...values: unknown[]): CheckedStatement {
    checkStatement(this.sql, values);
    return new CheckedStatement(this.sql, this[INNER].bind(...values), this.budget, values);
  }
  first<T>(column?: string): Promise<T | null> {
    this.budget.spend(1, this.sql);
    return column === undefined ? this[INNER].first<T>() : this[INNER].first<T>(column);
  }
  all<T>() {
    this.budget.spend(1, this.sql);
    return this[INNER].all<T>();
  }
  run<T>() {
    this.budget.spend(1, this.sql);
    return this[INNER].run<T>();
  }
  raw<T>(options?: { columnNames?: boolean }) {
    this.budget.spend(1, this.sql);
    return this[INNER].raw<T>(options as { columnNames: true }) as Promise<T[]>;
  }
}

function checkedD1(db: D1Database, budget: QueryBudget): D1Database {
  const wrapped = {
    prepare(sql: string) {
      checkStatement(sql);
      return new CheckedStatement(sql, db.prepare(sql), budget);
    },
    async batch(statements: CheckedStatement[]) {
      budget.spend(statements.length, "batch");
      return db.batch(
        statements.map((s) => (s instanceof CheckedStatement ? s[INNER] : (s as unknown as D1PreparedStatement))),
      );
    },
    exec(sql: string) {
      checkStatement(sql);
      budget.spend(sql.split(";").filter((s) => s.trim()).length, sql);
      return db.exec(sql);
    },
    withSession(constraint?: string) {
      const session = db.withSession(constraint as D1SessionConstraint);
      const inner = checkedD1(session as unknown as D1Database, budget) as unknown as Record<string, unknown>;
      return { ...inner, getBookmark: () => session.getBookmark() };
    },
    dump: () => db.dump(),
  };
  return wrapped as unknown as D1Database;
}

function messageBytes(body: unknown): number {
  return typeof body === "string" ? bytes(body) : bytes(JSON.stringify(body) ?? "");
}

function checkedQueue<T>(queue: Queue<T>, name: string): Queue<T> {
  return {
    send(body: T, options?: QueueSendOptions) {
      const n = messageBytes(body);
      if (n > PLATFORM_LIMITS.queueMessageBytes)
        throw new PlatformLimitExceeded("queueMessageBytes", `${name}: a message of ${n} bytes`);
      return queue.send(body, options);
    },
    sendBatch(messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) {
      const list = [...messages];
      if (list.length > PLATFORM_LIMITS.batchMessages)
        throw new PlatformLimitExceeded("batchMessages", `${name}: ${list.length} messages`);
      let total = 0;
      for (const m of list) {
        const n = messageBytes(m.body);
        if (n > PLATFORM_LIMITS.queueMessageBytes)
          throw new PlatformLimitExceeded("queueMessageBytes", `${name}: a message of ${n} bytes`);
        total += n;
      }
      if (total > PLATFORM_LIMITS.batchBytes) throw new PlatformLimitExceeded("batchBytes", `${name}: ${total} bytes`);
      return queue.sendBatch(list, options);
    },
  } as Queue<T>;
}

const D1_BINDINGS = ["DB", "ORDERS_DB_1", "WAREHOUSE"] as const;
const QUEUE_BINDINGS = ["EVENTS", "NOTIFICATIONS", "ANALYTICS"] as const;

/** One invocation's view of the bindings, with every limit above checked (when LIMIT_CHECKS is "on"). */
export function withLimitChecks<E extends Partial<Env>>(env: E): E {
  if (!config(env).limitChecks) return env;
  const budget = new QueryBudget();
  const out: Record<string, unknown> = { ...env };
  for (const name of D1_BINDINGS) if (env[name]) out[name] = checkedD1(env[name] as D1Database, budget);
  for (const name of QUEUE_BINDINGS) if (env[name]) out[name] = checkedQueue(env[name] as Queue<unknown>, name);
  return out as E;
}

/** Durable Object SQL: the same statement checks on `ctx.storage.sql.exec` (bound values, size). */
export function checkDurableObjectSql(ctx: DurableObjectState, env: { LIMIT_CHECKS?: string }): void {
  if (!config(env).limitChecks) return;
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  (sql as { exec: typeof sql.exec }).exec = ((query: string, ...bindings: unknown[]) => {
    checkStatement(query, bindings);
    return exec(query, ...bindings);
  }) as typeof sql.exec;
}

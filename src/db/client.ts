import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { PLATFORM_LIMITS } from "../lib/platform-limits";

// Schema-less: no code uses drizzle's relational queries (db.query.*), and each domain imports only
// its own tables (src/db/schema/<domain>.ts), so no module holds every table.
export type Db = ReturnType<typeof drizzle>;

/**
 * A drizzle handle over the `DB` binding, made once per binding per isolate (it was made per use,
 * when it walked the whole schema for relational queries: about 3% of a checkout's CPU).
 */
const handles = new WeakMap<D1Database, Db>();
export function getDb(env: Pick<Env, "DB">): Db {
  let db = handles.get(env.DB);
  if (!db) handles.set(env.DB, (db = drizzle(env.DB)));
  return db;
}

/**
 * Rows of `table` one multi-row insert may carry under D1's bound values per statement, counted
 * from the table itself: a column added later shrinks the chunk instead of pushing an insert past the limit.
 */
export function rowsPerInsert(table: Table): number {
  return Math.floor(PLATFORM_LIMITS.boundParameters / Object.keys(getTableColumns(table)).length);
}

/** D1 reports constraint failures only in the message text. */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  const text = String((err as { cause?: unknown })?.cause ?? "") + String((err as Error)?.message ?? err);
  return /UNIQUE constraint failed/i.test(text) && (!column || text.includes(column));
}

const insertSql = new Map<string, string>();

/**
 * A multi-row INSERT of `rows` (same keys each) as a plain D1 statement, its SQL built once per
 * table and shape per isolate: for the hot write paths (a checkout's order, items, payment), where
 * building the same query with drizzle each time cost about a third of a millisecond. Values go
 * through each column's own driver mapping (JSON columns, booleans), so rows are drizzle's rows.
 * Keys left undefined take the column's default. Callers keep rows under D1's bound values.
 */
export function insertStatement<T extends Table>(
  d1: D1Database,
  table: T,
  rows: T["$inferInsert"][],
  onConflict: "abort" | "ignore" = "abort",
): D1PreparedStatement {
  const cols = getTableColumns(table);
  const keys = Object.keys(cols).filter((k) => (rows[0] as Record<string, unknown>)[k] !== undefined);
  const shape = `${getTableName(table)}|${keys.join(",")}|${rows.length}|${onConflict}`;
  let sql = insertSql.get(shape);
  if (!sql) {
    const one = `(${keys.map(() => "?").join(", ")})`;
    sql = `INSERT INTO "${getTableName(table)}" (${keys.map((k) => `"${cols[k].name}"`).join(", ")}) VALUES ${rows.map(() => one).join(", ")}${onConflict === "ignore" ? " ON CONFLICT DO NOTHING" : ""}`;
    if (insertSql.size > 500) insertSql.clear();
    insertSql.set(shape, sql);
  }
  const values: unknown[] = [];
  for (const row of rows) {
    for (const k of keys) {
      const v = (row as Record<string, unknown>)[k];
      values.push(v === null || v === undefined ? null : cols[k].mapToDriverValue(v));
    }
  }
  return d1.prepare(sql).bind(...values);
}

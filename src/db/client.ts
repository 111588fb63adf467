import { getTableColumns, type Table } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { PLATFORM_LIMITS } from "../lib/platform-limits";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

/**
 * A drizzle handle over the `DB` binding, made once per binding per isolate:
 * building one walks the whole schema (drizzle's relational config), which
 * cost about 3% of a checkout's CPU when it was made per use.
 */
const handles = new WeakMap<D1Database, Db>();
export function getDb(env: Pick<Env, "DB">): Db {
  let db = handles.get(env.DB);
  if (!db) handles.set(env.DB, (db = drizzle(env.DB, { schema })));
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

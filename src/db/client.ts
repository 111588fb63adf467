import { drizzle } from "drizzle-orm/d1";
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

/** D1 reports constraint failures only in the message text. */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  const text = String((err as { cause?: unknown })?.cause ?? "") + String((err as Error)?.message ?? err);
  return /UNIQUE constraint failed/i.test(text) && (!column || text.includes(column));
}

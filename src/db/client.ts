import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

/** A drizzle handle over the `DB` binding; cheap, so made per use. */
export function getDb(env: Pick<Env, "DB">): Db {
  return drizzle(env.DB, { schema });
}

/** D1 reports constraint failures only in the message text. */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  const text = String((err as { cause?: unknown })?.cause ?? "") + String((err as Error)?.message ?? err);
  return /UNIQUE constraint failed/i.test(text) && (!column || text.includes(column));
}

import { and, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../db/client";
import { users } from "../db/schema/users";
import { eachOrderShard } from "../db/shards";
import { decodeCursor, toPage } from "../lib/pagination";
import { toUser, type UserRow } from "./users";
import { onUserShard } from "../db/shards";

/** Users newest first, optionally by role and by the start of their email or username (the admin's search). */
export async function listUsers(
  env: Pick<Env, "DB">,
  limit: number,
  cursor?: string,
  filter: { q?: string; role?: "buyer" | "seller" | "admin" } = {},
) {
  const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
  const where: SQL[] = [];
  if (after) where.push(lt(users.id, after));
  if (filter.role) where.push(eq(users.role, filter.role));
  if (filter.q) {
    // A prefix match, with LIKE's wildcards in the query taken literally.
    const prefix = `${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(lower(${users.email}) LIKE ${prefix} ESCAPE '\\' OR lower(${users.username}) LIKE ${prefix} ESCAPE '\\')`,
    );
  }
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      getDb(e)
        .select()
        .from(users)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(users.id))
        .limit(limit + 1),
    ),
  );
  const rows = perShard
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit + 1);
  const page = toPage(rows, limit, (r) => [r.id]);
  return { data: page.data.map(toUser), next_cursor: page.next_cursor };
}

/** Suspends (at `at`) or restores (null) an account; the caller ends its sessions and audits it. */
export async function setSuspended(env: Pick<Env, "DB">, id: string, at: string | null): Promise<UserRow | undefined> {
  return getDb(onUserShard(env, id))
    .update(users)
    .set({ suspendedAt: at, updatedAt: new Date().toISOString() })
    .where(eq(users.id, id))
    .returning()
    .get();
}

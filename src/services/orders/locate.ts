import { and, desc, eq, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { orderIndex } from "../../db/schema/orders";
import { onOrderShard, onOwnerShard } from "../../db/shards";

/**
 * Where orders are: each in the database its id hashes to, listed per buyer and per seller in
 * `order_index` (in the owner's database; src/db/shards.ts).
 */

export function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Order ids an owner can list, newest first (ids sort by time), from the owner's index. */
export async function indexedOrderIds(
  env: Pick<Env, "DB">,
  ownerId: string,
  role: "buyer" | "seller",
  limit: number,
  before?: string,
): Promise<string[]> {
  const where = [eq(orderIndex.ownerId, ownerId), eq(orderIndex.role, role)];
  if (before) where.push(lt(orderIndex.orderId, before));
  const rows = await getDb(onOwnerShard(env, ownerId))
    .select({ id: orderIndex.orderId })
    .from(orderIndex)
    .where(and(...where))
    .orderBy(desc(orderIndex.orderId))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/** Order ids grouped by the database that holds them. */
export function byOrderDb(env: Pick<Env, "DB">, ids: string[]): Map<D1Database, string[]> {
  const byDb = new Map<D1Database, string[]>();
  for (const id of ids) {
    const db = onOrderShard(env, id).DB;
    byDb.set(db, [...(byDb.get(db) ?? []), id]);
  }
  return byDb;
}

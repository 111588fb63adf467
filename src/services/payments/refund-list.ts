import { and, desc, eq, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { eachOrderShard } from "../../db/shards";
import { refunds } from "../../db/schema/payments";
import { decodeCursor, toPage } from "../../lib/pagination";
import { toRefund } from "./refunds";

/** A buyer's refunds, newest first: one indexed read per order database, merged (refunds live beside their orders). */
export async function listRefunds(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const where = [eq(refunds.userId, userId)];
  if (cursor) where.push(lt(refunds.id, String(decodeCursor(cursor, 1)[0])));
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      getDb(e)
        .select()
        .from(refunds)
        .where(and(...where))
        .orderBy(desc(refunds.id))
        .limit(limit + 1)
        .all(),
    ),
  );
  const rows = perShard
    .flat()
    .sort((x, y) => (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
    .slice(0, limit + 1);
  const page = toPage(rows, limit, (r) => [r.id]);
  return { data: page.data.map(toRefund), next_cursor: page.next_cursor };
}

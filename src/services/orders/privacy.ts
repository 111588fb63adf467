import { indexedOrderIds, byOrderDb } from "./locate";
import { type toOrder, listOrders } from "./reads";

/** A buyer's orders in their data export, and erasure of the personal data in them. */

/** Every order of a buyer (the data export), page by page through their index. */
export async function allOrdersOf(env: Pick<Env, "DB">, userId: string, max = 10_000) {
  const out: ReturnType<typeof toOrder>[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOrders(env, userId, 100, cursor);
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/**
 * Erasure: the buyer's orders stay (accounting needs amounts, items and dates) without the
 * personal data in them: the shipping address is replaced in every one of their orders.
 */
export async function erasePersonalDataInOrders(env: Pick<Env, "DB">, userId: string): Promise<number> {
  let erased = 0;
  let before: string | undefined;
  for (;;) {
    const ids = await indexedOrderIds(env, userId, "buyer", 90, before);
    if (ids.length === 0) return erased;
    for (const [db, list] of byOrderDb(env, ids)) {
      const res = await db
        .prepare(
          `UPDATE orders SET shipping_address = '"(erased)"', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id IN (${list.map(() => "?").join(",")})`,
        )
        .bind(...list)
        .run();
      erased += res.meta.changes ?? 0;
    }
    before = ids[ids.length - 1];
  }
}

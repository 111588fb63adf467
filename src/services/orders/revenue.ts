import { eachOrderShard } from "../../db/shards";

/**
 * Each seller's revenue in the live orders (paid or later, not cancelled), summed over every order
 * database: what the warehouse's drift report compares its facts with (a nightly job, so a pass
 * over each database is fine).
 */
export async function paidRevenueBySeller(env: Pick<Env, "DB">): Promise<Map<string, number>> {
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      e.DB.prepare(
        `SELECT i.seller_id, SUM(i.price * i.quantity) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id
         WHERE o.paid_at IS NOT NULL AND o.status != 'cancelled' GROUP BY i.seller_id`,
      ).all<{ seller_id: string; revenue: number }>(),
    ),
  );
  const sums = new Map<string, number>();
  for (const r of perShard.flatMap((x) => x.results)) sums.set(r.seller_id, (sums.get(r.seller_id) ?? 0) + r.revenue);
  return sums;
}

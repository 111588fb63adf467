import { eachOrderShard } from "../../db/shards";

/**
 * The orders' figures operators watch (GET /admin/health), for one order database: orders left
 * unpaid past an hour, and the last hour's checkouts and how many of them were paid.
 */
export async function orderHealth(d1: D1Database, hourAgo: string) {
  const [unpaid, hour] = await d1.batch<Record<string, number | null>>([
    d1.prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'pending_payment' AND created_at < ?").bind(hourAgo),
    d1
      .prepare(
        "SELECT SUM(status != 'pending_payment' AND status != 'cancelled') AS paid, COUNT(*) AS total FROM orders WHERE created_at >= ?",
      )
      .bind(hourAgo),
  ]);
  return {
    unpaid: (unpaid.results[0] as { n: number }).n,
    hour: hour.results[0] as { paid: number | null; total: number },
  };
}

/**
 * Unpaid orders past their time, up to `batch` from each order database: those with their own
 * deadline (an auction winner's, 48 h) past it at `now`, the rest created before `cutoff` (ISO).
 */
export async function overdueUnpaidOrders(
  env: Pick<Env, "DB">,
  cutoff: string,
  now: number,
  batch: number,
): Promise<string[]> {
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      e.DB.prepare(
        "SELECT id FROM orders WHERE status = 'pending_payment' AND ((pay_by IS NULL AND created_at < ?) OR pay_by < ?) ORDER BY created_at LIMIT ?",
      )
        .bind(cutoff, now, batch)
        .all<{ id: string }>(),
    ),
  );
  return perShard.flatMap((r) => r.results.map((x) => x.id));
}

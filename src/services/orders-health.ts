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

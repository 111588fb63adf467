/** Outbound notifications (not in-app) waiting, and those that failed since `since` (ISO): GET /admin/health. */
export async function notificationBacklog(env: Pick<Env, "DB">, since: string) {
  const row = await env.DB.prepare(
    "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed' AND updated_at >= ?) AS failed_24h FROM notifications WHERE channel != 'in_app'",
  )
    .bind(since)
    .first<{ pending: number | null; failed_24h: number | null }>();
  return { pending: row?.pending ?? 0, failed_24h: row?.failed_24h ?? 0 };
}

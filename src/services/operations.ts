import { eachOrderShard } from "../db/shards";
import { resealMethods } from "./wallet";
import { resealWebhookSecrets } from "./webhooks";

/**
 * What operators watch (GET /admin/health): the backlog of each asynchronous
 * path, what ended in the dead letters, and work stuck past its time. Each
 * figure has an alert rule in docs/operations.md.
 */
export async function operationalHealth(env: Pick<Env, "DB" | "WAREHOUSE">) {
  const now = Date.now();
  const hourAgo = new Date(now - 3600_000).toISOString();
  const dayAgo = new Date(now - 86_400_000).toISOString();
  const [dead, notif, hooks] = await env.DB.batch<Record<string, number | string | null>>([
    env.DB.prepare("SELECT queue, COUNT(*) AS n FROM dead_letters WHERE created_at >= ? GROUP BY queue").bind(dayAgo),
    env.DB.prepare(
      "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed' AND updated_at >= ?) AS failed_24h FROM notifications WHERE channel != 'in_app'",
    ).bind(dayAgo),
    env.DB.prepare(
      "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed' AND updated_at >= ?) AS failed_24h FROM webhook_deliveries",
    ).bind(dayAgo),
  ]);
  // Outbox rows and orders live in every order database: summed.
  const shards = await Promise.all(
    eachOrderShard(env).map(async (e) => {
      const [outbox, unpaid, hour] = await e.DB.batch<Record<string, number | string | null>>([
        e.DB.prepare(
          "SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox_events WHERE dispatched_at IS NULL",
        ),
        e.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'pending_payment' AND created_at < ?").bind(
          hourAgo,
        ),
        e.DB.prepare(
          "SELECT SUM(status != 'pending_payment' AND status != 'cancelled') AS paid, COUNT(*) AS total FROM orders WHERE created_at >= ?",
        ).bind(hourAgo),
      ]);
      return {
        outbox: outbox.results[0] as { pending: number; oldest: string | null },
        unpaid: (unpaid.results[0] as { n: number }).n,
        hour: hour.results[0] as { paid: number | null; total: number },
      };
    }),
  );
  const oldest =
    shards
      .map((s) => s.outbox.oldest)
      .filter((x): x is string => !!x)
      .sort()[0] ?? null;
  const o = { pending: shards.reduce((a, s) => a + s.outbox.pending, 0), oldest };
  const warehouseLag = await env.WAREHOUSE.prepare("SELECT MAX(paid_at) AS last FROM fact_order_items").first<{
    last: string | null;
  }>();
  const n = notif.results[0] as { pending: number | null; failed_24h: number | null };
  const h = hooks.results[0] as { pending: number | null; failed_24h: number | null };
  const oh = {
    paid: shards.reduce((a, s) => a + (s.hour.paid ?? 0), 0),
    total: shards.reduce((a, s) => a + s.hour.total, 0),
  };
  return {
    status: "ok" as const,
    checked_at: new Date(now).toISOString(),
    events_outbox: {
      undispatched: o.pending,
      oldest_age_s: o.oldest ? Math.round((now - Date.parse(o.oldest)) / 1000) : 0,
    },
    dead_letters_24h: Object.fromEntries((dead.results as { queue: string; n: number }[]).map((d) => [d.queue, d.n])),
    notifications: { pending: n.pending ?? 0, failed_24h: n.failed_24h ?? 0 },
    webhooks: { pending: h.pending ?? 0, failed_24h: h.failed_24h ?? 0 },
    orders_unpaid_over_1h: shards.reduce((a, s) => a + s.unpaid, 0),
    checkout_last_hour: { orders: oh.total, paid: oh.paid ?? 0 },
    warehouse_last_fact_at: warehouseLag?.last ?? null,
  };
}

/**
 * WALLET_KEY rotation: re-seals saved payment methods and webhook secrets sealed under the
 * previous key, a bounded page per call (D1's 1,000 queries an invocation). Runs from the daily
 * cron while WALLET_KEY_PREVIOUS is set, and from POST /admin/wallet-key/reseal until done.
 */
export async function resealUnderCurrentKey(env: Env, maxRows = 300): Promise<{ resealed: number; done: boolean }> {
  let resealed = 0;
  let done = true;
  for (const step of [resealMethods, resealWebhookSecrets]) {
    let after = "";
    for (let budget = maxRows; budget > 0; ) {
      const page = await step(env, after, Math.min(100, budget));
      resealed += page.resealed;
      budget -= 100;
      if (page.last === null) break;
      after = page.last;
      if (budget <= 0) done = false;
    }
  }
  return { resealed, done };
}

import { eachOrderShard } from "../db/shards";
import { deadLettersByQueue } from "../queues/dead-letters";
import { lastFactAt } from "./analytics";
import { outboxBacklog } from "./events";
import { notificationBacklog } from "./notifications";
import { orderHealth } from "./orders";
import { resealMethods } from "./wallet";
import { resealWebhookSecrets, webhookDeliveryBacklog } from "./webhooks";

/**
 * What operators watch (GET /admin/health): the backlog of each asynchronous
 * path, what ended in the dead letters, and work stuck past its time. Each
 * figure has an alert rule in docs/operations.md.
 */
export async function operationalHealth(env: Pick<Env, "DB" | "WAREHOUSE">) {
  const now = Date.now();
  const hourAgo = new Date(now - 3600_000).toISOString();
  const dayAgo = new Date(now - 86_400_000).toISOString();
  // Each figure comes from the domain that owns its table; outbox rows and orders live in every
  // order database, so theirs are summed.
  const [dead, notifications, webhooks, warehouseLast, shards] = await Promise.all([
    deadLettersByQueue(env, dayAgo),
    notificationBacklog(env, dayAgo),
    webhookDeliveryBacklog(env, dayAgo),
    lastFactAt(env),
    Promise.all(
      eachOrderShard(env).map(async (e) => ({
        outbox: await outboxBacklog(e.DB),
        ...(await orderHealth(e.DB, hourAgo)),
      })),
    ),
  ]);
  const oldest =
    shards
      .map((s) => s.outbox.oldest)
      .filter((x): x is string => !!x)
      .sort()[0] ?? null;
  return {
    status: "ok" as const,
    checked_at: new Date(now).toISOString(),
    events_outbox: {
      undispatched: shards.reduce((a, s) => a + s.outbox.pending, 0),
      oldest_age_s: oldest ? Math.round((now - Date.parse(oldest)) / 1000) : 0,
    },
    dead_letters_24h: dead,
    notifications,
    webhooks,
    orders_unpaid_over_1h: shards.reduce((a, s) => a + s.unpaid, 0),
    checkout_last_hour: {
      orders: shards.reduce((a, s) => a + s.hour.total, 0),
      paid: shards.reduce((a, s) => a + (s.hour.paid ?? 0), 0),
    },
    warehouse_last_fact_at: warehouseLast,
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

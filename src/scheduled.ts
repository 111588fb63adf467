import { errorFields, log } from "./lib/logger";
import { driftReport, rebuildRollups } from "./services/analytics";
import { purgeExpiredRefreshTokens } from "./services/auth";
import { purgeDispatchedOutbox, relayOutbox } from "./services/events";
import { remindAbandonedCarts } from "./services/cart";
import { settleExpiringAuthorisations, sweepUnpaidOrders } from "./services/fulfilment";
import { purgeExpiredIdempotencyKeys } from "./services/idempotency";
import { resealUnderCurrentKey } from "./services/operations";
import { runPayouts } from "./services/ledger";
import { paymentProvider } from "./services/payments";
import { retryParkedWebhookEvents } from "./services/checkout";
import { sweepEndedAuctions } from "./services/auctions";
import { refreshFxRates } from "./services/fx-feed";

/**
 * Periodic jobs, keyed by the cron expressions in wrangler.toml. Each job is
 * safe to run twice or late: it works from the current state, not from a
 * count of runs.
 */
type Job = { name: string; run(env: Env): Promise<unknown> };

export const CRON_JOBS: Record<string, Job[]> = {
  "* * * * *": [
    { name: "relay-outbox", run: (env) => relayOutbox(env) },
    // Provider webhook events that came before what they act on, retried with backoff.
    { name: "parked-webhook-events", run: (env) => retryParkedWebhookEvents(env) },
    // Auctions close by their own alarm; this closes any whose object was never called after it opened.
    { name: "close-ended-auctions", run: (env) => sweepEndedAuctions(env) },
  ],
  "*/15 * * * *": [
    { name: "purge-idempotency-keys", run: purgeExpiredIdempotencyKeys },
    { name: "cancel-unpaid-orders", run: (env) => sweepUnpaidOrders(env) },
    // Card authorisations about to lapse: captured or let go by the admin's capture policy.
    { name: "expiring-authorisations", run: (env) => settleExpiringAuthorisations(env) },
    { name: "abandoned-cart-reminders", run: (env) => remindAbandonedCarts(env) },
    // While a WALLET_KEY rotation is under way (the previous key still set), a page of rows at a time.
    {
      name: "wallet-key-reseal",
      run: (env) => (env.WALLET_KEY_PREVIOUS ? resealUnderCurrentKey(env) : Promise.resolve()),
    },
  ],
  "0 3 * * *": [
    { name: "purge-refresh-tokens", run: purgeExpiredRefreshTokens },
    { name: "purge-outbox", run: (env) => purgeDispatchedOutbox(env) },
    { name: "analytics-rollups", run: (env) => rebuildRollups(env) },
    // The ECB's reference rates of the last working day (FX_RATES_URL); carts convert at them from then on.
    { name: "fx-rates", run: (env) => refreshFxRates(env) },
    // Each seller with an available balance over the minimum, to their connected account (PUT /seller/payout-account).
    {
      name: "seller-payouts",
      run: (env) => runPayouts(env, (p) => paymentProvider(env).payout({ ...p, currency: "usd" })),
    },
    {
      name: "analytics-drift",
      run: async (env) => {
        const report = await driftReport(env);
        if (report.drifting.length)
          log("warn", "analytics drift", { drifting: report.drifting.slice(0, 20), sellers: report.drifting.length });
      },
    },
  ],
};

export async function runScheduled(controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const jobs = CRON_JOBS[controller.cron] ?? [];
  const results = await Promise.allSettled(jobs.map((job) => job.run(env)));
  results.forEach((result, i) => {
    if (result.status === "rejected") {
      log("error", "cron job failed", { cron: controller.cron, job: jobs[i].name, ...errorFields(result.reason) });
    }
  });
}

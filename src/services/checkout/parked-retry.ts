import type Stripe from "stripe";
import { dueParkedEvents, settleParked } from "../payments";
import { applyPayPalEvent } from "./paypal-webhook";
import { applyStripeEvent } from "./stripe-webhook";

/**
 * Cron: provider webhook events parked because they came before what they act on
 * (payments/webhook-parking.ts), each applied again by its provider's handler when due: applied,
 * found moot, or parked again with a longer wait.
 */
export async function retryParkedWebhookEvents(env: Env, now = Date.now()): Promise<number> {
  let applied = 0;
  for (const parked of await dueParkedEvents(env, now)) {
    try {
      const payload = JSON.parse(parked.payload);
      const result =
        parked.provider === "paypal"
          ? await applyPayPalEvent(env, payload)
          : await applyStripeEvent(env, payload as Stripe.Event);
      await settleParked(
        env,
        parked,
        result.outcome === "park" ? { done: false, reason: result.reason } : { done: true },
        now,
      );
      if (result.outcome === "applied") applied++;
    } catch (err) {
      await settleParked(env, parked, { done: false, reason: (err as Error).message.slice(0, 200) }, now);
    }
  }
  return applied;
}

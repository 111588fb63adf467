import Stripe from "stripe";
import { firstDelivery, forgetDelivery, paymentByRef } from "../payment-records";
import { ApiError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { StockGone } from "./steps";
import { settleFinishedPayment } from "./complete";
import {
  applyProviderDispute,
  applyProviderRefundState,
  applyProviderRefundTotal,
  parkWebhookEvent,
  recordOutsideCapture,
  type ProviderEventOutcome,
} from "../payments";
import { findOrder } from "../orders";

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * Verifies a Stripe webhook (signature and a 5-minute timestamp tolerance,
 * with SubtleCrypto: Workers have no Node crypto HMAC in the SDK's default
 * path) and applies it once. Stripe retries and may reorder events: each event
 * id is recorded before it is applied, and each handler moves state only
 * forward (a late `payment_failed` after `succeeded` changes nothing).
 */
export async function handleStripeWebhook(
  env: Env,
  rawBody: string,
  signature: string | undefined,
): Promise<{ received: true; duplicate?: boolean; ignored?: boolean; parked?: boolean }> {
  if (!env.STRIPE_WEBHOOK_SECRET) throw new ApiError("not_found", "Stripe webhooks are not configured");
  if (!signature)
    throw new ApiError("validation_failed", "Missing Stripe-Signature header", {
      details: [{ field: "Stripe-Signature", code: "required", message: "required" }],
    });
  let event: Stripe.Event;
  try {
    // The secret key is not needed to verify; any string constructs the client.
    event = await new Stripe("sk_unused", { httpClient: Stripe.createFetchHttpClient() }).webhooks.constructEventAsync(
      rawBody,
      signature,
      env.STRIPE_WEBHOOK_SECRET,
      300,
      cryptoProvider,
    );
  } catch (err) {
    throw new ApiError("validation_failed", "Invalid Stripe signature or stale timestamp", {
      details: [
        { field: "Stripe-Signature", code: "invalid_signature", message: (err as Error).message.slice(0, 200) },
      ],
    });
  }
  if (!(await firstDelivery(env, event.id, event.type))) return { received: true, duplicate: true };
  try {
    const result = await applyStripeEvent(env, event);
    if (result.outcome === "park") {
      // Before what it acts on (out of order): kept and retried by the cron, never dropped.
      await parkWebhookEvent(env, {
        id: event.id,
        provider: "stripe",
        type: event.type,
        payload: rawBody,
        reason: result.reason,
      });
      return { received: true, parked: true };
    }
    return result.outcome === "applied" ? { received: true } : { received: true, ignored: true };
  } catch (err) {
    // Not applied: forget the id so Stripe's retry can apply it.
    await forgetDelivery(env, event.id);
    throw err;
  }
}

const orderIdOf = (metadata: Stripe.Metadata | null | undefined) =>
  typeof metadata?.order_id === "string" ? metadata.order_id : null;
const idOf = (x: string | { id: string } | null | undefined) => (typeof x === "string" ? x : (x?.id ?? null));

/** One verified Stripe event, applied by its kind; each handler moves state only forward. */
export async function applyStripeEvent(env: Env, event: Stripe.Event): Promise<ProviderEventOutcome> {
  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.amount_capturable_updated":
    case "payment_intent.payment_failed":
      return applyIntent(env, event.type, event.data.object as Stripe.PaymentIntent, event.id);
    case "charge.captured": {
      // Our own shipments' captures send this too, possibly before their batch is recorded: it is
      // read only once a minute old (parked until then), when ours are surely in.
      if (Date.now() - event.created * 1000 < 60_000)
        return { outcome: "park", reason: "waiting for our own capture to be recorded" };
      const charge = event.data.object as Stripe.Charge;
      const pi = idOf(charge.payment_intent);
      const payment = pi ? await paymentByRef(env, pi, orderIdOf(charge.metadata)) : undefined;
      if (!payment) return pi ? { outcome: "park", reason: "the payment is not recorded yet" } : { outcome: "ignored" };
      const outside = await recordOutsideCapture(env, payment, charge.amount_captured, charge.id);
      if (outside)
        log("warn", "a capture made at Stripe was recorded", {
          order_id: payment.orderId,
          amount: charge.amount_captured,
        });
      return { outcome: outside ? "applied" : "ignored" };
    }
    case "charge.refunded": {
      const charge = event.data.object as Stripe.Charge;
      const pi = idOf(charge.payment_intent);
      if (!pi) return { outcome: "ignored" };
      return applyProviderRefundTotal(env, {
        paymentRef: pi,
        orderId: orderIdOf(charge.metadata),
        refundedTotal: charge.amount_refunded,
        ref: charge.id,
      });
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed": {
      const refund = event.data.object as Stripe.Refund;
      const pi = idOf(refund.payment_intent);
      if (!pi) return { outcome: "ignored" };
      const status =
        refund.status === "failed" || refund.status === "canceled"
          ? "failed"
          : refund.status === "succeeded"
            ? "succeeded"
            : "pending";
      return applyProviderRefundState(env, {
        refundRef: refund.id,
        paymentRef: pi,
        orderId: orderIdOf(refund.metadata),
        status,
      });
    }
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const dispute = event.data.object as Stripe.Dispute;
      const pi = idOf(dispute.payment_intent);
      if (!pi) return { outcome: "ignored" };
      // An inquiry closed without a chargeback (warning_closed) took nothing: as good as won.
      const phase = event.type === "charge.dispute.created" ? "opened" : dispute.status === "lost" ? "lost" : "won";
      return applyProviderDispute(env, {
        disputeRef: dispute.id,
        paymentRef: pi,
        orderId: orderIdOf(dispute.metadata),
        amount: dispute.amount,
        currency: dispute.currency,
        reason: dispute.reason ?? "unknown",
        phase,
      });
    }
    default:
      return { outcome: "ignored" };
  }
}

async function applyIntent(
  env: Env,
  type: "payment_intent.succeeded" | "payment_intent.amount_capturable_updated" | "payment_intent.payment_failed",
  pi: Stripe.PaymentIntent,
  eventId: string,
): Promise<ProviderEventOutcome> {
  // The intent carries its order id (set at charge time), which names the database; without it, each is asked.
  const payment = await paymentByRef(env, pi.id, orderIdOf(pi.metadata));
  if (!payment) {
    // Our row is written just after Stripe answers the charge: its event may come first.
    log("warn", "webhook for a PaymentIntent not recorded yet; parked", { payment_intent: pi.id, event_id: eventId });
    return { outcome: "park", reason: "the payment is not recorded yet" };
  }
  const found = await findOrder(env, payment.orderId);
  if (found?.order.status !== "pending_payment") return { outcome: "ignored" }; // already settled: out of order or duplicate
  if (type !== "payment_intent.payment_failed") {
    try {
      await settleFinishedPayment(env, payment, found.order, found.items, { status: "succeeded" });
    } catch (err) {
      // Applied all the same: the money went back and the order is cancelled; Stripe need not retry.
      if (!(err instanceof StockGone)) throw err;
    }
  } else {
    if (payment.status === "succeeded") return { outcome: "ignored" };
    await settleFinishedPayment(env, payment, found.order, found.items, {
      status: "failed",
      code: pi.last_payment_error?.code ?? "payment_failed",
    });
  }
  return { outcome: "applied" };
}

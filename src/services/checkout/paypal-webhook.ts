import { MINOR_UNITS } from "../../lib/currency";
import { ApiError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { findOrder } from "../orders";
import { firstDelivery, forgetDelivery, paymentByRef } from "../payment-records";
import {
  applyProviderDispute,
  applyProviderRefund,
  parkWebhookEvent,
  PayPalPaymentProvider,
  paymentProvider,
  type ProviderEventOutcome,
} from "../payments";
import { settleFinishedPayment } from "./complete";
import { StockGone } from "./steps";

/**
 * PayPal's webhooks (POST /payments/webhooks/paypal), verified by PayPal's own signature check
 * (verify-webhook-signature with the webhook's id), deduplicated by event id, applied once, and
 * parked when they come before what they act on, as Stripe's are:
 * - CHECKOUT.ORDER.APPROVED: the buyer approved; the order is authorised (or captured) and paid,
 *   as the buyer's return does, whichever comes first;
 * - PAYMENT.CAPTURE.REFUNDED: a refund made at PayPal (not through us) is recorded;
 * - CUSTOMER.DISPUTE.CREATED / RESOLVED: the ledger freezes, then gives back or writes off.
 */
interface PayPalEvent {
  id: string;
  event_type: string;
  resource: {
    id?: string;
    dispute_id?: string;
    reason?: string;
    dispute_amount?: { value: string; currency_code: string };
    disputed_transactions?: { seller_transaction_id?: string }[];
    dispute_outcome?: { outcome_code?: string };
    amount?: { value: string; currency_code: string };
    supplementary_data?: { related_ids?: { order_id?: string } };
  };
}

export async function handlePayPalWebhook(env: Env, raw: string, headers: Headers) {
  if (!env.PAYPAL_WEBHOOK_ID || !env.PAYPAL_CLIENT_ID)
    throw new ApiError("not_found", "PayPal webhooks are not configured");
  let event: PayPalEvent;
  try {
    event = JSON.parse(raw) as PayPalEvent;
    if (
      typeof event.id !== "string" ||
      typeof event.event_type !== "string" ||
      !(event.resource?.id || event.resource?.dispute_id)
    )
      throw new Error("shape");
  } catch {
    throw new ApiError("validation_failed", "Not a PayPal webhook event");
  }
  const paypal = paymentProvider(env, "paypal");
  const verified =
    paypal instanceof PayPalPaymentProvider ? await paypal.verifyWebhook(headers, event, env.PAYPAL_WEBHOOK_ID) : false;
  if (!verified)
    throw new ApiError("validation_failed", "PayPal did not verify this webhook's signature", {
      details: [{ field: "paypal-transmission-sig", code: "invalid_signature", message: "verification failed" }],
    });
  const id = `paypal:${event.id}`;
  if (!(await firstDelivery(env, id, event.event_type))) return { received: true as const, duplicate: true };
  try {
    const result = await applyPayPalEvent(env, event);
    if (result.outcome === "park") {
      await parkWebhookEvent(env, {
        id,
        provider: "paypal",
        type: event.event_type,
        payload: raw,
        reason: result.reason,
      });
      return { received: true as const, parked: true };
    }
    return result.outcome === "applied" ? { received: true as const } : { received: true as const, ignored: true };
  } catch (err) {
    await forgetDelivery(env, id);
    throw err;
  }
}

/** One PayPal event (also the parked-event cron's entry for PayPal's). */
export async function applyPayPalEvent(env: Env, event: PayPalEvent): Promise<ProviderEventOutcome> {
  if (event.event_type === "CHECKOUT.ORDER.APPROVED" && event.resource.id) {
    const payment = await paymentByRef(env, event.resource.id, null);
    if (!payment) return { outcome: "park", reason: "the payment is not recorded yet" };
    const found = await findOrder(env, payment.orderId);
    if (found?.order.status !== "pending_payment") return { outcome: "ignored" };
    const result = await paymentProvider(env, payment.provider).retrieve(event.resource.id);
    if (result.status === "requires_action")
      return { outcome: "park", reason: "PayPal has not completed the order yet" };
    try {
      await settleFinishedPayment(
        env,
        payment,
        found.order,
        found.items,
        result.status === "succeeded" ? { status: "succeeded" } : { status: "failed", code: result.code },
      );
    } catch (err) {
      if (!(err instanceof StockGone) && !(err instanceof ApiError && err.code === "invalid_state")) throw err;
    }
    return { outcome: "applied" };
  }
  if (event.event_type === "PAYMENT.CAPTURE.REFUNDED") {
    const orderRef = event.resource.supplementary_data?.related_ids?.order_id;
    if (!orderRef || !event.resource.amount || !event.resource.id) return { outcome: "ignored" };
    return applyProviderRefund(env, {
      paymentRef: orderRef,
      refundRef: event.resource.id,
      amount: event.resource.amount.value,
      currency: event.resource.amount.currency_code,
    });
  }
  if (event.event_type === "CUSTOMER.DISPUTE.CREATED" || event.event_type === "CUSTOMER.DISPUTE.RESOLVED") {
    const r = event.resource;
    const capture = r.disputed_transactions?.[0]?.seller_transaction_id;
    if (!r.dispute_id || !capture || !r.dispute_amount) return { outcome: "ignored" };
    const paypal = paymentProvider(env, "paypal");
    const orderRef = paypal instanceof PayPalPaymentProvider ? await paypal.orderOfCapture(capture) : null;
    if (!orderRef) return { outcome: "park", reason: "the disputed capture is not known yet" };
    const currency = r.dispute_amount.currency_code.toLowerCase();
    const digits = MINOR_UNITS[currency as keyof typeof MINOR_UNITS] ?? 2;
    return applyProviderDispute(env, {
      disputeRef: r.dispute_id,
      paymentRef: orderRef,
      orderId: null,
      amount: Math.round(Number(r.dispute_amount.value) * 10 ** digits),
      currency,
      reason: r.reason ?? "unknown",
      // The buyer won it: the money is gone; the seller won it: it comes back.
      phase:
        event.event_type === "CUSTOMER.DISPUTE.CREATED"
          ? "opened"
          : r.dispute_outcome?.outcome_code === "RESOLVED_SELLER_FAVOUR"
            ? "won"
            : "lost",
    });
  }
  log("info", "PayPal event not handled", { type: event.event_type });
  return { outcome: "ignored" };
}

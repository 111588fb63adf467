import Stripe from "stripe";
import { firstDelivery, forgetDelivery, paymentByRef, setPaymentStatus } from "../payment-records";
import { ApiError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { markPaid, settlePaymentWithoutStock, StockGone } from "./steps";
import { releaseAll } from "../inventory";
import { findOrder, stockRefOf } from "../orders";

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
): Promise<{ received: true; duplicate?: boolean; ignored?: boolean }> {
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
    const applied = await apply(env, event);
    return applied ? { received: true } : { received: true, ignored: true };
  } catch (err) {
    // Not applied: forget the id so Stripe's retry can apply it.
    await forgetDelivery(env, event.id);
    throw err;
  }
}

async function apply(env: Env, event: Stripe.Event): Promise<boolean> {
  // A manual (authorise-then-capture) intent is authorised at amount_capturable_updated; its
  // succeeded comes with the last capture, when the order is long paid.
  if (
    event.type !== "payment_intent.succeeded" &&
    event.type !== "payment_intent.amount_capturable_updated" &&
    event.type !== "payment_intent.payment_failed"
  )
    return false;
  const pi = event.data.object as Stripe.PaymentIntent;
  // The intent carries its order id (set at charge time), which names the database; without it, each is asked.
  const orderId = typeof pi.metadata?.order_id === "string" ? pi.metadata.order_id : null;
  const payment = await paymentByRef(env, pi.id, orderId);
  if (!payment) {
    log("warn", "webhook for an unknown PaymentIntent", { payment_intent: pi.id, event_id: event.id });
    return false;
  }
  const found = await findOrder(env, payment.orderId);
  if (found?.order.status !== "pending_payment") return false; // already settled: out of order or duplicate
  if (event.type !== "payment_intent.payment_failed") {
    await setPaymentStatus(env, payment, { status: "succeeded" });
    try {
      await markPaid(env, found.order, found.items, found.order.id);
    } catch (err) {
      // Applied all the same: the money went back and the order is cancelled; Stripe need not retry.
      if (!(err instanceof StockGone)) throw err;
      await settlePaymentWithoutStock(env, found.order, found.items);
    }
  } else {
    if (payment.status === "succeeded") return false;
    await setPaymentStatus(env, payment, {
      status: "failed",
      failureCode: pi.last_payment_error?.code ?? "payment_failed",
    });
    await releaseAll(env, found.order.id, found.items.map(stockRefOf));
  }
  return true;
}

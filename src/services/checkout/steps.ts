import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { log } from "../../lib/logger";
import { Saga } from "../../lib/saga";
import { orderBesideCatalog } from "../../db/shards";
import {
  commitAll,
  type ProjectedLevel,
  releaseAll,
  reserveAll,
  stockProjected,
  stockProjectionStatements,
  writeStockProjection,
} from "../inventory";
import { stockRefOf, transition, type OrderItemRow, type OrderRow } from "../orders";
import { latestPayment, type PaymentRow, paymentRowStatement, recordPayment } from "../payment-records";
import { AUTHORISATION_WINDOW_MS, capturePolicy, paymentProvider, type ChargeResult } from "../payments";
import * as promotions from "../promotions";
import * as wallet from "../wallet";

/**
 * The checkout's steps that the workflow, the pay retry (pay.ts) and the Stripe webhook
 * (stripe-webhook.ts) compose: charging, marking paid (which takes the stock for good), and the
 * undo of each (coupons given back, the charge refunded, an unpaid order cancelled).
 */

/** The provider's payment method id: given directly, or a saved one from the caller's wallet (anyone else's: 404). */
export async function resolvePaymentMethod(
  env: Env,
  userId: string,
  input: { payment_method?: string; payment_method_id?: string },
): Promise<{ method: string; customer?: string }> {
  if (input.payment_method_id) {
    const saved = await wallet.resolveMethod(env, userId, input.payment_method_id);
    return saved.customer ? { method: saved.method, customer: saved.customer } : { method: saved.method };
  }
  if (input.payment_method) return { method: input.payment_method };
  throw new ApiError("validation_failed", "payment_method is required", {
    details: [
      { field: "payment_method", code: "required", message: "Give payment_method or a saved payment_method_id" },
    ],
  });
}

/** The stock of a paid order ran out before its payment completed (markPaid could not take it again). */
export class StockGone extends ApiError {
  constructor() {
    super("out_of_stock", "The stock ran out before the payment completed; the payment was refunded");
  }
}

/** The order step's undo: the unpaid order is cancelled (its other holds have their own undos). */
export function cancelOrder(env: Env, order: OrderRow, items: OrderItemRow[]) {
  return transition(
    env,
    order,
    items,
    ["pending_payment"],
    { status: "cancelled", paymentLockUntil: null },
    { ids: items.map((i) => i.id), set: { status: "cancelled" } },
    "order.cancelled",
  );
}

/**
 * Cancels an unpaid order and gives back everything it still holds: stock,
 * its coupon uses and its store credit. The buyer's cancel, the unpaid-order
 * sweep, and a payment that completed after the stock ran out all end here.
 */
export async function cancelUnpaidOrder(env: Env, order: OrderRow, items: OrderItemRow[]): Promise<void> {
  await cancelOrder(env, order, items);
  // (Holds of abandoned pay attempts expire by TTL.)
  await releaseAll(env, order.id, items.map(stockRefOf));
  await giveBackCoupons(env, order);
  await wallet.reverseDebit(env, order.userId, order.id);
}

/** Gives back the coupon uses an unpaid order holds (none, after a decline: they went back then). */
export async function giveBackCoupons(env: Env, order: OrderRow): Promise<void> {
  const coupons = await promotions.findCouponsByCodes(env, order.couponCodes);
  for (const c of coupons) await promotions.unredeem(env, c.id, order.id);
}

/**
 * A retried payment takes the order's coupon uses again (a decline gave them back). When a
 * coupon has been used up meanwhile, nothing is kept and the buyer checks out again.
 * The discount is split evenly over the order's coupons for the redemption record.
 */
export async function retakeCoupons(env: Env, order: OrderRow): Promise<void> {
  const coupons = await promotions.findCouponsByCodes(env, order.couponCodes);
  const share = coupons.length ? Math.floor(order.discount / coupons.length) : 0;
  const taken: string[] = [];
  for (const c of coupons) {
    if (!(await promotions.redeem(env, c.id, order.id, order.userId, share))) {
      for (const id of taken) await promotions.unredeem(env, id, order.id);
      throw new ApiError(
        "coupon_not_applicable",
        `Coupon ${c.code} has been used up since this order was placed; check out again`,
      );
    }
    taken.push(c.id);
  }
}

/**
 * A payment that completed on an order (a retried pay, a webhook) whose stock
 * is gone: the money goes back and the order is cancelled with everything it
 * held, in one place for every path that calls markPaid outside checkout.
 */
export async function settlePaymentWithoutStock(env: Env, order: OrderRow, items: OrderItemRow[]): Promise<void> {
  const saga = new Saga({ order_id: order.id });
  saga.onFailure("cancel-order", () => cancelUnpaidOrder(env, order, items));
  saga.onFailure("refund", () => refundCharge(env, order, "stock gone before the payment completed"));
  await saga.compensate();
}

/**
 * Calls the provider and describes the attempt as its `payments` row (the audit
 * trail with the provider's transaction reference), not yet written: checkout
 * writes it in the batch that moves the order. Amount 0 (all store credit)
 * needs no call.
 */
export async function callProvider(
  env: Env,
  order: OrderRow,
  method: { method: string; customer?: string },
  amount: number,
  idempotencyKey: string,
  returnUrl?: string,
): Promise<ChargeResult & { row: PaymentRow }> {
  const provider = paymentProvider(env, method.method === "paypal" ? "paypal" : undefined);
  const paymentMethod = method.method;
  // Authorise only, under the `on_shipment` policy: each seller's shipment captures their share.
  const captureMethod = amount > 0 && (await capturePolicy(env)).capture === "on_shipment" ? "manual" : "automatic";
  const result: ChargeResult =
    amount <= 0
      ? { status: "succeeded", ref: `wallet_${order.id}` }
      : await provider.charge({
          amount,
          currency: order.currency,
          paymentMethod,
          idempotencyKey,
          orderId: order.id,
          userId: order.userId,
          capture: captureMethod,
          ...(returnUrl ? { returnUrl } : {}),
          ...(method.customer ? { customer: method.customer } : {}),
        });
  const status =
    result.status === "succeeded" ? "succeeded" : result.status === "requires_action" ? "requires_action" : "failed";
  const now = new Date().toISOString();
  const row: PaymentRow = {
    id: newId("payment"),
    orderId: order.id,
    userId: order.userId,
    provider: amount <= 0 ? "wallet" : provider.name,
    transactionRef: result.ref,
    amount,
    currency: order.currency,
    status,
    paymentMethod: paymentMethod.slice(0, 64),
    failureCode: result.status === "declined" ? result.code : null,
    clientSecret: result.status === "requires_action" ? result.clientSecret : null,
    nextAction:
      result.status === "requires_action"
        ? (result.nextAction ?? { type: "use_stripe_sdk", client_secret: result.clientSecret })
        : null,
    captureMethod,
    capturedAmount: captureMethod === "automatic" && status === "succeeded" ? amount : 0,
    releasedAmount: 0,
    captures: [],
    authorizedUntil: captureMethod === "manual" ? new Date(Date.now() + AUTHORISATION_WINDOW_MS).toISOString() : null,
    createdAt: now,
    updatedAt: now,
  };
  return { ...result, row };
}

/** A charge with its `payments` row written at once (the pay retry, which moves the order afterwards). */
export async function charge(
  env: Env,
  order: OrderRow,
  method: { method: string; customer?: string },
  amount: number,
  idempotencyKey: string,
  returnUrl?: string,
): Promise<ChargeResult & { row: PaymentRow }> {
  const out = await callProvider(env, order, method, amount, idempotencyKey, returnUrl);
  await recordPayment(env, out.row);
  return out;
}

/**
 * Marks the order paid and takes its reserved stock for good, with `payment`
 * (a charge not yet recorded) in the same batch. If the hold expired meanwhile
 * (a slow 3-D Secure), it re-reserves; if the stock is gone it throws
 * StockGone and changes nothing: the caller's undo gives the money back
 * (checkout's saga, or settlePaymentWithoutStock).
 */
export async function markPaid(
  env: Env,
  order: OrderRow,
  items: OrderItemRow[],
  reservationId: string,
  payment?: PaymentRow,
): Promise<OrderRow> {
  const refs = items.map(stockRefOf);
  // The stock levels come back to be written with the order (one D1 transaction, not one per line).
  let levels: ProjectedLevel[];
  try {
    levels = await commitAll(env, reservationId, refs, { handOver: true });
  } catch (err) {
    // The hold is gone (expired during a slow 3-D Secure, or released by a decline): take the stock again.
    if (!(err instanceof ApiError) || (err.code !== "reservation_expired" && err.code !== "not_found")) throw err;
    const retryId = `${reservationId}:late`;
    try {
      await reserveAll(
        env,
        retryId,
        items.map((i) => ({ ...stockRefOf(i), quantity: i.quantity })),
      );
      levels = await commitAll(env, retryId, refs, { handOver: true });
    } catch {
      throw new StockGone();
    }
  }
  // The ledger posts a manual (authorised) payment's sales at each capture, not now.
  const capture = (payment ?? (await latestPayment(env, order.id)))?.captureMethod ?? "automatic";
  // The catalog is in `DB`; an order in another database writes the levels in a batch of their own.
  const withOrder = orderBesideCatalog(env, order.id);
  try {
    const paid = await transition(
      env,
      order,
      items,
      ["pending_payment"],
      { status: "paid", paidAt: new Date().toISOString(), paymentLockUntil: null, walletAmount: order.walletAmount },
      { ids: items.map((i) => i.id), set: { status: "paid" } },
      "order.paid",
      { capture },
      [
        ...(payment ? [paymentRowStatement(env, payment)] : []),
        ...(withOrder ? stockProjectionStatements(env, levels) : []),
      ],
    );
    if (!withOrder) await writeStockProjection(env, levels);
    return paid;
  } catch (err) {
    // The batch did not land: the stock is still taken, so its level is written on its own.
    await writeStockProjection(env, levels);
    throw err;
  } finally {
    await stockProjected(refs);
  }
}

/** Gives back a successful charge in full (compensation when the order cannot be fulfilled). */
export async function refundCharge(env: Env, order: OrderRow, reason: string, payment?: PaymentRow): Promise<void> {
  const pay = payment ?? (await latestPayment(env, order.id));
  if (
    pay &&
    pay.status === "succeeded" &&
    pay.provider !== "wallet" &&
    pay.transactionRef &&
    pay.captureMethod === "manual"
  ) {
    // Only authorised: nothing moved, so the authorisation is let go instead of refunded.
    await paymentProvider(env, pay.provider).release(pay.transactionRef, `order:${order.id}:compensate`);
  } else if (pay && pay.status === "succeeded" && pay.provider !== "wallet" && pay.transactionRef) {
    await paymentProvider(env, pay.provider).refund({
      paymentRef: pay.transactionRef,
      amount: pay.amount,
      idempotencyKey: `order:${order.id}:compensate`,
    });
  }
  await wallet.reverseDebit(env, order.userId, order.id);
  log("warn", "order compensated after payment", { order_id: order.id, reason });
}

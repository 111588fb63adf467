import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { AuthContext } from "../../types";
import {
  charge,
  giveBackCoupons,
  markPaid,
  resolvePaymentMethod,
  retakeCoupons,
  settlePaymentWithoutStock,
  StockGone,
} from "./steps";
import { releaseAll, reserveAll } from "../inventory";
import { findOrder, stockRefOf, viewerOf } from "../orders";
import { lastUpdatedPayment, latestPayment, type PaymentRow, setPaymentStatus } from "../payment-records";
import { lockForPayment, unlockPayment } from "../orders";
import { paymentProvider, ProviderUnavailable, type ChargeResult } from "../payments";

function toPayment(p: PaymentRow) {
  return {
    payment_id: p.id,
    order_id: p.orderId,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    provider: p.provider,
    capture_method: p.captureMethod,
    captured_amount: p.capturedAmount,
    released_amount: p.releasedAmount,
    transaction_ref: p.transactionRef,
    failure_code: p.failureCode,
    ...(p.status === "requires_action" ? { client_secret: p.clientSecret, next_action: p.nextAction } : {}),
    created_at: p.createdAt,
  };
}

const PAYMENT_LOCK_MS = 120_000;

/**
 * Pays an unpaid order (after a decline, or to finish 3-D Secure). One attempt
 * at a time per order: a lock in the order row (compare-and-set) makes a
 * concurrent second attempt a 409, so an order is never charged twice.
 */
export async function payOrder(
  env: Env,
  auth: AuthContext,
  input: { order_id: string; payment_method?: string; payment_method_id?: string; return_url?: string },
) {
  const found = await findOrder(env, input.order_id);
  if (!found) throw new ApiError("not_found", "Order not found");
  const viewer = viewerOf(auth, found.order, found.items);
  if (viewer !== "buyer") throw new ApiError("not_found", "Order not found");
  const { order, items } = found;
  if (order.status !== "pending_payment") {
    throw new ApiError(
      "invalid_state",
      order.status === "cancelled" ? "This order was cancelled" : "This order is already paid",
    );
  }
  const paymentMethod = await resolvePaymentMethod(env, auth.userId, input);

  if (!(await lockForPayment(env, order.id, Date.now() + PAYMENT_LOCK_MS)))
    throw new ApiError("invalid_state", "A payment for this order is already in progress");
  const unlock = () => unlockPayment(env, order.id);

  const previous = await latestPayment(env, order.id);
  const attemptId = newId("payment");
  let reservationId = order.id;
  let result: ChargeResult;
  let couponsRetaken = false;
  try {
    if (previous?.status === "requires_action" && previous.transactionRef) {
      // Finish the authentication-required attempt; its stock is still held (or re-taken in markPaid).
      result = await paymentProvider(env, previous.provider).confirm(
        previous.transactionRef,
        paymentMethod.method,
        `order:${order.id}:confirm:${attemptId}`,
      );
      await setPaymentStatus(env, previous, {
        status:
          result.status === "succeeded"
            ? "succeeded"
            : result.status === "requires_action"
              ? "requires_action"
              : "failed",
      });
    } else {
      // An order with its own deadline (an auction's) holds its unit under the order's id until then;
      // every other order takes its stock again for this attempt.
      if (order.payBy === null) {
        reservationId = `${order.id}:${attemptId}`;
        await reserveAll(
          env,
          reservationId,
          items.map((i) => ({ ...stockRefOf(i), quantity: i.quantity })),
        );
      }
      await retakeCoupons(env, order);
      couponsRetaken = true;
      result = await charge(
        env,
        { ...order, walletAmount: 0 },
        paymentMethod,
        order.totalAmount,
        `order:${order.id}:pay:${attemptId}`,
        input.return_url,
      );
    }
  } catch (err) {
    if (reservationId !== order.id) await releaseAll(env, reservationId, items.map(stockRefOf));
    if (couponsRetaken) await giveBackCoupons(env, order);
    await unlock();
    if (err instanceof ProviderUnavailable)
      throw new ApiError("service_unavailable", "The payment provider is unavailable; nothing was charged");
    throw err;
  }
  if (result.status === "declined") {
    // (An auction's order keeps its unit to its deadline: the winner may pay with another card.)
    if (order.payBy === null || reservationId !== order.id) await releaseAll(env, reservationId, items.map(stockRefOf));
    if (couponsRetaken) await giveBackCoupons(env, order);
    await unlock();
    throw new ApiError("payment_declined", result.message, {
      details: [{ field: "payment_method", code: result.code, message: result.message }],
    });
  }
  if (result.status === "succeeded") {
    try {
      await markPaid(env, { ...order, walletAmount: 0 }, items, reservationId);
    } catch (err) {
      if (err instanceof StockGone) await settlePaymentWithoutStock(env, order, items);
      throw err;
    }
  } else {
    await unlock();
  }
  const payment = await lastUpdatedPayment(env, order.id);
  return toPayment(payment!);
}

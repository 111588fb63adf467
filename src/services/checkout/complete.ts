import { ApiError } from "../../lib/errors";
import type { AuthContext } from "../../types";
import { releaseAll } from "../inventory";
import { findOrder, stockRefOf, toOrder, viewerOf, type OrderItemRow, type OrderRow } from "../orders";
import { latestPayment, type PaymentRow, setPaymentStatus } from "../payment-records";
import { paymentProvider, ProviderUnavailable } from "../payments";
import { markPaid, settlePaymentWithoutStock, StockGone } from "./steps";

/**
 * A payment that finished away from the request (3-D Secure, a bank redirect, a wallet app,
 * PayPal's approval) settles here, whichever arrives first: the provider's webhook or the buyer
 * coming back to the store (POST /payments/return). Both move the order only from
 * pending_payment, so the second finds it settled and changes nothing.
 */
export async function settleFinishedPayment(
  env: Env,
  payment: PaymentRow,
  order: OrderRow,
  items: OrderItemRow[],
  outcome: { status: "succeeded" } | { status: "failed"; code: string },
): Promise<void> {
  if (outcome.status === "succeeded") {
    await setPaymentStatus(env, payment, { status: "succeeded" });
    try {
      await markPaid(env, order, items, order.id);
    } catch (err) {
      // The money went back and the order is cancelled, with everything it held.
      if (!(err instanceof StockGone)) throw err;
      await settlePaymentWithoutStock(env, order, items);
      throw err;
    }
    return;
  }
  await setPaymentStatus(env, payment, { status: "failed", failureCode: outcome.code });
  await releaseAll(env, order.id, items.map(stockRefOf));
}

/** The buyer is back from their bank, wallet or PayPal: ask the provider where the payment stands and settle it. */
export async function returnFromProvider(env: Env, auth: AuthContext, orderId: string) {
  const found = await findOrder(env, orderId);
  if (!found || viewerOf(auth, found.order, found.items) !== "buyer")
    throw new ApiError("not_found", "Order not found");
  const view = async () => {
    const now = (await findOrder(env, orderId))!;
    return toOrder(now.order, now.items, { viewer: "buyer", payment: await latestPayment(env, orderId) });
  };
  if (found.order.status !== "pending_payment") return view();
  const payment = await latestPayment(env, orderId);
  if (payment?.status !== "requires_action" || !payment.transactionRef)
    throw new ApiError(
      "invalid_state",
      "No payment of this order is waiting for the buyer; pay it with POST /payments/pay",
    );
  let result: Awaited<ReturnType<ReturnType<typeof paymentProvider>["retrieve"]>>;
  try {
    result = await paymentProvider(env, payment.provider).retrieve(payment.transactionRef);
  } catch (err) {
    if (err instanceof ProviderUnavailable)
      throw new ApiError("service_unavailable", "The payment provider is unavailable; try again shortly");
    throw err;
  }
  if (result.status === "requires_action") return view();
  try {
    await settleFinishedPayment(
      env,
      payment,
      found.order,
      found.items,
      result.status === "succeeded" ? { status: "succeeded" } : { status: "failed", code: result.code },
    );
  } catch (err) {
    // The webhook settled it meanwhile: the order has moved, which is the answer.
    if (!(err instanceof ApiError && err.code === "invalid_state")) throw err;
  }
  if (result.status === "declined") {
    throw new ApiError("payment_declined", result.message, {
      details: [{ field: "payment_method", code: result.code, message: result.message }],
    });
  }
  return view();
}

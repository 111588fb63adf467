import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { onOrderShard } from "../db/shards";
import { orderItems, orders, payments } from "../db/schema";

type PaymentRow = typeof payments.$inferSelect;
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { errorFields, log } from "../lib/logger";
import { writeMetric } from "../lib/metrics";
import type { AuthContext } from "../types";
import { cartStub, price, userCartId } from "./cart";
import { dispatchEvents, outboxInsert } from "./events";
import { commitAll, DEFAULT_RESERVATION_TTL_MS, releaseAll, reserveAll, syncProjection } from "./inventory";
import { findOrder, indexOrder, latestPayment, orderEvent, toOrder, transition, type OrderItemRow, type OrderRow } from "./orders";
import { paymentProvider, ProviderUnavailable, type ChargeResult } from "./payments";
import * as promotions from "./promotions";
import * as wallet from "./wallet";

/**
 * Checkout as a saga. Each step that holds something registers its undo; a
 * failure runs the undos in reverse, so a declined card, a provider outage or
 * a crash leaves no stock held (reservations also expire by TTL), no coupon use
 * taken and no store credit spent.
 *
 *   lease cart -> price -> reserve stock -> write order (pending_payment)
 *   -> redeem coupons -> spend store credit -> charge
 *   -> paid: commit stock, clear cart, order.paid
 */

export interface CheckoutInput {
  payment_method?: string;
  payment_method_id?: string;
  shipping_address: string | Record<string, string>;
  use_wallet?: boolean;
}

type Undo = { name: string; run: () => Promise<unknown> };

async function compensate(undos: Undo[], context: Record<string, unknown>): Promise<void> {
  for (const u of [...undos].reverse()) {
    try {
      await u.run();
    } catch (err) {
      // A failed undo is logged and left to its safety net (reservation TTL, cron sweeps).
      log("error", "saga compensation step failed", { step: u.name, ...context, ...errorFields(err) });
    }
  }
}

/** Test hook for the reliability suite: throw at a named step. */
let faultAt: string | null = null;
export function injectCheckoutFault(step: string | null): void {
  faultAt = step;
}
function checkpoint(step: string): void {
  if (faultAt === step) throw new Error(`injected fault at ${step}`);
}

/** The provider's payment method id: given directly, or a saved one from the caller's wallet (anyone else's: 404). */
export async function resolvePaymentMethod(env: Env, userId: string, input: { payment_method?: string; payment_method_id?: string }): Promise<string> {
  if (input.payment_method_id) return wallet.resolveMethod(env, userId, input.payment_method_id);
  if (input.payment_method) return input.payment_method;
  throw new ApiError("validation_failed", "payment_method is required", {
    details: [{ field: "payment_method", code: "required", message: "Give payment_method or a saved payment_method_id" }],
  });
}

export async function placeOrder(env: Env, auth: AuthContext, input: CheckoutInput) {
  try {
    const order = await runCheckout(env, auth, input);
    writeMetric(env, "checkout", [order.status], [order.total_amount]);
    return order;
  } catch (err) {
    writeMetric(env, "checkout", [err instanceof ApiError ? err.code : "error"], [0]);
    throw err;
  }
}

async function runCheckout(env: Env, auth: AuthContext, input: CheckoutInput) {
  const userId = auth.userId;
  const paymentMethod = await resolvePaymentMethod(env, userId, input);
  const orderId = newId("order");
  const cart = cartStub(env, { userId });
  const cartId = userCartId(userId);
  const undos: Undo[] = [];
  const ctx = { order_id: orderId, user_id: userId };

  const lease = await cart.beginCheckout(cartId, userId, orderId);
  if (!lease.ok) throw new ApiError("invalid_state", "This cart is already being checked out");
  undos.push({ name: "end-cart-lease", run: () => cart.endCheckout(orderId) });

  try {
    if (lease.state.lines.length === 0) throw new ApiError("cart_empty", "The cart is empty");
    const priced = await price(env, lease.state);
    const gone = lease.state.lines.filter((l) => {
      const p = priced.products.get(l.product_id);
      return !p || p.status !== "active";
    });
    if (gone.length > 0) {
      throw new ApiError("invalid_state", "Some products in the cart are no longer sold; remove them first", {
        details: gone.map((l) => ({ field: l.product_id, code: "unavailable", message: "archived or removed" })),
      });
    }
    const { view, evaluation } = priced;

    // 1. Stock, in fixed order, all or nothing.
    checkpoint("reserve");
    await reserveAll(env, orderId, priced.lines, DEFAULT_RESERVATION_TTL_MS, { awaitProjection: false });
    undos.push({ name: "release-stock", run: () => releaseAll(env, orderId, priced.lines.map((l) => l.product_id)) });

    // 2. The order, pending payment, with its items (one D1 batch with its event).
    checkpoint("write-order");
    const now = new Date().toISOString();
    const order: OrderRow = {
      id: orderId,
      userId,
      status: "pending_payment",
      subtotal: view.subtotal,
      discount: view.discount,
      shipping: 0,
      totalAmount: view.total,
      walletAmount: 0,
      currency: view.currency,
      couponCodes: evaluation.applied.map((a) => a.code),
      shippingAddress: input.shipping_address,
      trackingNumber: null,
      refundedAmount: 0,
      paymentLockUntil: Date.now() + 120_000,
      paidAt: null,
      shippedAt: null,
      deliveredAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const items: OrderItemRow[] = priced.lines.map((l) => ({
      id: newId("orderItem"),
      orderId,
      productId: l.product_id,
      sellerId: l.seller_id,
      name: priced.products.get(l.product_id)!.name,
      quantity: l.quantity,
      price: l.price,
      discount: evaluation.lineDiscounts[l.product_id] ?? 0,
      status: "pending",
      trackingNumber: null,
      createdAt: now,
    }));
    // Listed first (idempotent), so an order never exists without its buyer and sellers able to find it.
    await indexOrder(env, order.id, order.userId, items.map((i) => i.sellerId));
    const home = onOrderShard(env, order.id);
    const db = getDb(home);
    const created = orderEvent("order.created", order, items);
    await db.batch([db.insert(orders).values(order), db.insert(orderItems).values(items), outboxInsert(db, created)]);
    await dispatchEvents(home, [created]);
    undos.push({
      name: "cancel-order",
      run: () => transition(env, order, items, ["pending_payment"], { status: "cancelled", paymentLockUntil: null }, { ids: items.map((i) => i.id), set: { status: "cancelled" } }, "order.cancelled"),
    });

    // 3. Coupon budgets, atomically.
    checkpoint("redeem-coupons");
    for (const c of evaluation.coupons.filter((c) => evaluation.applied.some((a) => a.code === c.code))) {
      const amount = evaluation.applied.find((a) => a.code === c.code)!.amount;
      if (!(await promotions.redeem(env, c.id, orderId, userId, amount))) {
        throw new ApiError("coupon_not_applicable", `Coupon ${c.code} has been used up; remove it and check out again`);
      }
      undos.push({ name: `unredeem-${c.code}`, run: () => promotions.unredeem(env, c.id, orderId) });
    }

    // 4. Store credit first, when asked.
    checkpoint("wallet");
    let walletAmount = 0;
    if (input.use_wallet) {
      walletAmount = await wallet.debitForOrder(env, userId, orderId, order.totalAmount);
      undos.push({ name: "reverse-wallet", run: () => wallet.reverseDebit(env, userId, orderId) });
    }
    order.walletAmount = walletAmount;

    // 5. Charge what is left.
    checkpoint("charge");
    const toCharge = order.totalAmount - walletAmount;
    const result = await charge(env, order, paymentMethod, toCharge, `order:${orderId}:checkout`);
    if (result.status === "declined") {
      // The order stays payable (POST /payments/pay), but nothing is held for it.
      // The coupon use stays with the unpaid order (its total includes the discount);
      // cancelling it or the pending-order sweep gives the use back.
      const keepOrder = undos.filter((u) => u.name !== "cancel-order" && !u.name.startsWith("unredeem-"));
      undos.length = 0;
      await compensate(keepOrder, ctx);
      await getDb(onOrderShard(env, orderId)).update(orders).set({ walletAmount: 0, paymentLockUntil: null }).where(eq(orders.id, orderId));
      throw new ApiError("payment_declined", result.message, { details: [{ field: "payment_method", code: result.code, message: result.message }] });
    }
    if (result.status === "requires_action") {
      // Stock stays reserved until the TTL while the buyer authenticates; the cart is done.
      undos.length = 0;
      await getDb(onOrderShard(env, orderId)).update(orders).set({ walletAmount, paymentLockUntil: null }).where(eq(orders.id, orderId));
      await syncProjection(env, items.map((i) => i.productId));
      await cart.clear(orderId);
      const found = (await findOrder(env, orderId))!;
      return toOrder(found.order, found.items, { viewer: "buyer", payment: result.row });
    }

    // Money moved: from here on, a failure must give it back.
    undos.push({ name: "refund-charge", run: () => refundCharge(env, { ...order, walletAmount }, "checkout failed after the charge") });

    // 6. Paid: the order, then the stock for good, then the cart.
    checkpoint("mark-paid");
    const paid = await markPaid(env, { ...order, walletAmount }, items, orderId);
    undos.length = 0;
    await cart.clear(orderId);
    return toOrder(paid, items.map((i) => ({ ...i, status: "paid" as const })), { viewer: "buyer", payment: result.row });
  } catch (err) {
    await compensate(undos, ctx);
    if (err instanceof ProviderUnavailable) {
      throw new ApiError("service_unavailable", "The payment provider is unavailable; nothing was charged. Try again shortly.");
    }
    if (err instanceof ApiError) throw err;
    // Anything else (a storage or object call failing): everything was given back, so the
    // client may simply retry; say so rather than a bare 500.
    log("error", "checkout failed; compensated", { ...ctx, ...errorFields(err) });
    throw new ApiError("service_unavailable", "Checkout could not complete; nothing was charged or held. Try again shortly.");
  }
}


/**
 * Calls the provider and records the attempt in `payments` (the audit trail with
 * the provider's transaction reference). Amount 0 (all store credit) needs no call.
 */
export async function charge(env: Env, order: OrderRow, paymentMethod: string, amount: number, idempotencyKey: string): Promise<ChargeResult & { row: PaymentRow }> {
  const id = newId("payment");
  const provider = paymentProvider(env);
  const result: ChargeResult =
    amount <= 0
      ? { status: "succeeded", ref: `wallet_${order.id}` }
      : await provider.charge({ amount, currency: order.currency, paymentMethod, idempotencyKey, orderId: order.id, userId: order.userId });
  const status = result.status === "succeeded" ? "succeeded" : result.status === "requires_action" ? "requires_action" : "failed";
  const now = new Date().toISOString();
  const row: PaymentRow = {
      id,
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
      createdAt: now,
      updatedAt: now,
  };
  await getDb(onOrderShard(env, order.id)).insert(payments).values(row).onConflictDoNothing();
  return { ...result, row };
}

/**
 * Marks the order paid and takes its reserved stock for good. If the hold
 * expired meanwhile (a slow 3-D Secure), it re-reserves; if the stock is gone,
 * the payment is refunded and the order cancelled rather than oversold.
 */
export async function markPaid(env: Env, order: OrderRow, items: OrderItemRow[], reservationId: string): Promise<OrderRow> {
  const productIds = items.map((i) => i.productId);
  try {
    await commitAll(env, reservationId, productIds);
  } catch (err) {
    // The hold is gone (expired during a slow 3-D Secure, or released by a decline): take the stock again.
    if (!(err instanceof ApiError) || (err.code !== "reservation_expired" && err.code !== "not_found")) throw err;
    const retryId = `${reservationId}:late`;
    try {
      await reserveAll(env, retryId, items.map((i) => ({ product_id: i.productId, quantity: i.quantity })));
      await commitAll(env, retryId, productIds);
    } catch (err2) {
      await refundCharge(env, order, "stock gone before the payment completed");
      await transition(env, order, items, ["pending_payment"], { status: "cancelled", paymentLockUntil: null }, { ids: items.map((i) => i.id), set: { status: "cancelled" } }, "order.cancelled");
      throw new ApiError("out_of_stock", "The stock ran out before the payment completed; the payment was refunded");
    }
  }
  return transition(
    env,
    order,
    items,
    ["pending_payment"],
    { status: "paid", paidAt: new Date().toISOString(), paymentLockUntil: null, walletAmount: order.walletAmount },
    { ids: items.map((i) => i.id), set: { status: "paid" } },
    "order.paid",
  );
}

/** Gives back a successful charge in full (compensation when the order cannot be fulfilled). */
export async function refundCharge(env: Env, order: OrderRow, reason: string): Promise<void> {
  const pay = await latestPayment(env, order.id);
  if (pay && pay.status === "succeeded" && pay.provider !== "wallet" && pay.transactionRef) {
    await paymentProvider(env).refund({ paymentRef: pay.transactionRef, amount: pay.amount, idempotencyKey: `order:${order.id}:compensate` });
  }
  await wallet.reverseDebit(env, order.userId, order.id);
  log("warn", "order compensated after payment", { order_id: order.id, reason });
}


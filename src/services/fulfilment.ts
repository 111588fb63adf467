import { ApiError } from "../lib/errors";
import type { AuthContext } from "../types";
import { cancelUnpaidOrder } from "./checkout";
import {
  findOrder,
  overdueUnpaidOrders,
  toOrder,
  transition,
  viewerOf,
  type OrderItemRow,
  type OrderRow,
} from "./orders";
import { expiringAuthorisations, latestPayment } from "./payment-records";
import { capturePolicy, captureLines, createRefund, recordCaptures, releaseRemainder } from "./payments";
import { errorFields, log } from "../lib/logger";
import { dispatchEvents } from "./events";
import { onOrderShard } from "../db/shards";

/**
 * Order status moves. Sellers ship and deliver their own items (a seller
 * sub-order); the order follows when every item has moved. Admins move all
 * items. The buyer (or an admin) may cancel before anything ships.
 *
 *   pending_payment -> paid (payments) | cancelled
 *   paid            -> shipped (tracking number) | cancelled (refund + restock)
 *   shipped         -> delivered
 *   paid/shipped/delivered -> refunded | partially_refunded (refunds)
 */
export type StatusInput = { status: "shipped" | "delivered" | "cancelled"; tracking_number?: string };

const illegal = (from: string, to: string) =>
  new ApiError("invalid_state", `An order that is ${from} cannot become ${to}`);

export async function updateStatus(env: Env, auth: AuthContext, orderId: string, input: StatusInput) {
  const found = await findOrder(env, orderId);
  if (!found) throw new ApiError("not_found", "Order not found");
  const viewer = viewerOf(auth, found.order, found.items);
  const { order, items } = found;

  if (input.status === "cancelled") {
    if (viewer === "seller") throw new ApiError("forbidden", "Sellers cannot cancel a buyer's order");
    await cancel(env, auth, order, items);
  } else {
    if (viewer === "buyer")
      throw new ApiError("forbidden", "Only the order's sellers or an admin can change its fulfilment");
    const mine = viewer === "admin" ? items : items.filter((i) => i.sellerId === auth.userId);
    if (input.status === "shipped") await ship(env, order, items, mine, input.tracking_number);
    else await deliver(env, order, items, mine);
  }
  const after = (await findOrder(env, orderId))!;
  return toOrder(after.order, after.items, {
    viewer,
    sellerId: auth.userId,
    // (A seller sees no payment, only their lines' capture states.)
    payment: await latestPayment(env, orderId),
  });
}

async function ship(env: Env, order: OrderRow, items: OrderItemRow[], mine: OrderItemRow[], tracking?: string) {
  if (!tracking) {
    throw new ApiError("validation_failed", "tracking_number is required to ship", {
      details: [{ field: "tracking_number", code: "required", message: "required when status is shipped" }],
    });
  }
  const fulfilling = ["paid", "partially_refunded"] as const;
  if (!fulfilling.includes(order.status as (typeof fulfilling)[number]) || order.shippedAt)
    throw illegal(order.status, "shipped");
  // Each seller's shipment captures their share of an authorised payment first: a capture the
  // provider refuses leaves the lines unshipped. The capture is recorded in the ship's batch.
  const moving = mine.filter((i) => i.status === "paid").map((i) => i.id);
  const plan = moving.length ? await captureLines(env, order, items, moving) : null;
  await advance(env, order, items, mine, "shipped", tracking, plan?.statements);
  if (plan?.events.length) await dispatchEvents(onOrderShard(env, order.id), plan.events);
}

async function deliver(env: Env, order: OrderRow, items: OrderItemRow[], mine: OrderItemRow[]) {
  await advance(env, order, items, mine, "delivered");
}

/** Each fulfilment step: which item status it moves from, and which statuses count as already past it. */
const STEPS = {
  shipped: {
    from: "paid",
    past: ["shipped", "delivered", "cancelled", "refunded"],
    stamp: "shippedAt",
    event: "order.shipped",
  },
  delivered: {
    from: "shipped",
    past: ["delivered", "cancelled", "refunded"],
    stamp: "deliveredAt",
    event: "order.delivered",
  },
} as const;

/**
 * Moves the caller's items one step; the order itself moves (with its event)
 * only when every item has, so each seller of a multi-seller order fulfils
 * their part independently.
 */
async function advance(
  env: Env,
  order: OrderRow,
  items: OrderItemRow[],
  mine: OrderItemRow[],
  to: keyof typeof STEPS,
  tracking?: string,
  also: D1PreparedStatement[] = [],
) {
  const step = STEPS[to];
  const moving = mine.filter((i) => i.status === step.from);
  if (moving.length === 0) throw illegal(mine[0]?.status ?? order.status, to);
  const ids = new Set(moving.map((i) => i.id));
  const all = items.every((i) => ids.has(i.id) || (step.past as readonly string[]).includes(i.status));
  const track = tracking ? { trackingNumber: tracking } : {};
  const orderPatch: Partial<OrderRow> = all
    ? {
        status: order.status === "partially_refunded" ? "partially_refunded" : to,
        [step.stamp]: new Date().toISOString(),
        ...track,
      }
    : track;
  await transition(
    env,
    order,
    items,
    [order.status],
    orderPatch,
    { ids: [...ids], set: { status: to, ...track } },
    all ? step.event : null,
    {},
    also,
  );
}

/**
 * The buyer (or an admin) cancels what no seller has shipped. With nothing shipped, the whole
 * order is refunded, restocked and cancelled. When some seller has shipped, only the unshipped
 * lines are cancelled, refunded and restocked; the order stays open with the rest. A line that
 * shipped is never refunded by a cancel: that is a return.
 */
async function cancel(env: Env, auth: AuthContext, order: OrderRow, items: OrderItemRow[]) {
  if (order.status === "pending_payment") {
    await cancelUnpaidOrder(env, order, items);
    return;
  }
  if (!(order.status === "paid" || order.status === "partially_refunded") || order.shippedAt)
    throw illegal(order.status, "cancelled");
  const unshipped = items.filter((i) => i.status === "paid");
  if (unshipped.length === 0) throw illegal("shipped", "cancelled");
  const actor: AuthContext = auth.role === "admin" ? auth : { userId: order.userId, role: "buyer" };
  if (unshipped.length < items.length || order.refundedAmount > 0) {
    await createRefund(
      env,
      actor,
      { order_id: order.id, reason: "unshipped lines cancelled" },
      {
        allowStatuses: ["paid", "partially_refunded"],
        lines: unshipped.map((i) => i.id),
        lineStatus: "cancelled",
      },
    );
    return;
  }
  // Paid, nothing shipped: refund everything (which restocks), then mark cancelled.
  await createRefund(env, actor, { order_id: order.id, reason: "order cancelled" }, { allowStatuses: ["paid"] });
  const after = (await findOrder(env, order.id))!;
  await transition(
    env,
    after.order,
    after.items,
    ["refunded"],
    { status: "cancelled" },
    { ids: after.items.map((i) => i.id), set: { status: "cancelled" } },
    "order.cancelled",
  );
}

/** Orders left unpaid this long are cancelled by the cron (their coupon uses and store credit come back). */
export const UNPAID_ORDER_TTL_MS = 24 * 3600 * 1000;

/** Cron: cancels unpaid orders past their time, a batch at a time. Safe to run twice (each move is guarded). */
export async function sweepUnpaidOrders(env: Env, now = Date.now(), batch = 100): Promise<number> {
  const cutoff = new Date(now - UNPAID_ORDER_TTL_MS).toISOString();
  const ids = await overdueUnpaidOrders(env, cutoff, now, batch);
  let cancelled = 0;
  for (const id of ids) {
    const found = await findOrder(env, id);
    if (found?.order.status !== "pending_payment") continue;
    try {
      await cancel(env, { userId: found.order.userId, role: "buyer" }, found.order, found.items);
      cancelled++;
    } catch {
      // Moved meanwhile (paid by a late webhook): nothing to do.
    }
  }
  return cancelled;
}

/**
 * Cron: card authorisations about to lapse (the provider lets one go after 7 days), by the admin's
 * policy: `capture` takes each seller's share of the unshipped lines now (the ledger credits them
 * at this capture, and the lines ship later as usual); `release` cancels the unshipped lines, which
 * lets their money go and restocks them. An authorisation with nothing left to ship (a remainder
 * of rounding or of a partial refund) is let go either way. Safe to run twice: each capture and
 * release is recorded once.
 */
export async function settleExpiringAuthorisations(env: Env, now = Date.now(), batch = 50): Promise<number> {
  const policy = await capturePolicy(env);
  const before = new Date(now + policy.expiry_margin_hours * 3_600_000).toISOString();
  let settled = 0;
  for (const payment of await expiringAuthorisations(env, before, batch)) {
    const found = await findOrder(env, payment.orderId);
    if (!found) continue;
    const { order, items } = found;
    const captured = new Set(payment.captures.flatMap((c) => c.item_ids));
    const open = items.filter((i) => i.status === "paid" && !captured.has(i.id));
    try {
      if (open.length === 0) {
        await releaseRemainder(env, payment);
      } else if (policy.on_expiry === "capture") {
        await recordCaptures(
          env,
          order.id,
          await captureLines(
            env,
            order,
            items,
            open.map((i) => i.id),
          ),
        );
      } else {
        await cancel(env, { userId: order.userId, role: "buyer" }, order, items);
      }
      settled++;
    } catch (err) {
      log("warn", "expiring authorisation not settled; the next run retries", {
        order_id: order.id,
        ...errorFields(err),
      });
    }
  }
  return settled;
}

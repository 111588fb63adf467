import { and, eq, ne } from "drizzle-orm";
import { getDb } from "../../db/client";
import { returns } from "../../db/schema/returns";
import { onOrderShard } from "../../db/shards";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { AuthContext } from "../../types";
import { findOrder, type OrderItemRow, type OrderRow } from "../orders";
import { linePaid, recordPendingRefund } from "../payments";
import { sellerSettings } from "../ledger";
import { type ReturnRow, type Line, toReturn, conflict, tell } from "./records";

/** Opening a return: the buyer's request within the window, and the one POST /payments/refunds opens for a delivered order. */

/** What one unit of a line cost the buyer, its sales tax included (a return gives the tax back). */
const unitAmount = (order: OrderRow, i: OrderItemRow) => Math.floor(linePaid(order, i) / i.quantity);

/** Units of each line already in a return that was not rejected. */
async function alreadyReturned(env: Pick<Env, "DB">, orderId: string): Promise<Map<string, number>> {
  const rows = await getDb(onOrderShard(env, orderId))
    .select({ items: returns.items })
    .from(returns)
    .where(and(eq(returns.orderId, orderId), ne(returns.status, "rejected")))
    .all();
  const out = new Map<string, number>();
  for (const r of rows) for (const i of r.items) out.set(i.order_item_id, (out.get(i.order_item_id) ?? 0) + i.quantity);
  return out;
}

export interface ReturnRequest {
  order_id: string;
  items: { order_item_id: string; quantity: number }[];
  reason: string;
}

/** A buyer's request. Past the window, more than was delivered, or units already in a return: 409. */
export async function requestReturn(
  env: Env,
  auth: AuthContext,
  input: ReturnRequest,
  opts: { requestedAmount?: number; refundId?: string } = {},
) {
  const found = await findOrder(env, input.order_id);
  if (!found || found.order.userId !== auth.userId) throw new ApiError("not_found", "Order not found");
  const { order, items } = found;
  const byId = new Map(items.map((i) => [i.id, i]));
  const lines: Line[] = [];
  const unknown = input.items.filter((i) => !byId.has(i.order_item_id));
  if (unknown.length) {
    throw new ApiError("validation_failed", "Some items are not lines of this order", {
      details: unknown.map((i) => ({
        field: `items.${input.items.indexOf(i)}.order_item_id`,
        code: "not_found",
        message: "not a line of this order",
      })),
    });
  }
  const sellers = new Set(input.items.map((i) => byId.get(i.order_item_id)!.sellerId));
  if (sellers.size !== 1) {
    throw new ApiError("validation_failed", "A return holds the lines of one seller; request one return per seller", {
      details: [{ field: "items", code: "several_sellers", message: "one seller per return" }],
    });
  }
  const returned = await alreadyReturned(env, order.id);
  const window = (await sellerSettings(env, [...sellers][0])).returnWindowDays;
  for (const want of input.items) {
    const item = byId.get(want.order_item_id)!;
    if (item.status !== "delivered") throw conflict(`Line ${item.id} has not been delivered, so it cannot be returned`);
    // Delivery of the last line stamps the order; a line marked delivered before that falls back to shipping.
    const delivered = order.deliveredAt ?? order.shippedAt ?? order.createdAt;
    if (Date.now() - Date.parse(delivered) > window * 86_400_000)
      throw conflict(`Returns are accepted within ${window} days of delivery`);
    const left = item.quantity - (returned.get(item.id) ?? 0);
    if (want.quantity > left)
      throw conflict(
        left === 0
          ? `Line ${item.id} is already being returned`
          : `At most ${left} of line ${item.id} can still be returned`,
      );
    lines.push({
      order_item_id: item.id,
      product_id: item.productId,
      variant_id: item.variantId,
      quantity: want.quantity,
      unit_amount: unitAmount(order, item),
      condition: null,
    });
  }
  const now = new Date().toISOString();
  const row: ReturnRow = {
    id: newId("return"),
    orderId: order.id,
    userId: order.userId,
    sellerId: [...sellers][0],
    status: "requested",
    items: lines,
    reason: input.reason,
    note: null,
    label: null,
    trackingNumber: null,
    requestedAmount: opts.requestedAmount ?? null,
    refundId: opts.refundId ?? null,
    amount: null,
    createdAt: now,
    updatedAt: now,
  };
  await getDb(onOrderShard(env, order.id)).insert(returns).values(row);
  await tell(
    env,
    row.sellerId,
    row,
    "Return requested",
    `A buyer asked to return ${lines.reduce((n, l) => n + l.quantity, 0)} unit(s) of order ${order.id}.`,
  );
  return toReturn(row);
}

/**
 * POST /payments/refunds by the buyer of a delivered order: a return of every delivered unit not
 * yet returned, for the amount asked (the refund is `pending` until the return is received).
 */
export async function openReturnForRefund(
  env: Env,
  auth: AuthContext,
  order: OrderRow,
  items: OrderItemRow[],
  amount: number,
  reason: string,
) {
  const returned = await alreadyReturned(env, order.id);
  const open = items.filter((i) => i.status === "delivered" && i.quantity - (returned.get(i.id) ?? 0) > 0);
  if (open.length === 0) throw conflict("Every delivered unit of this order is already being returned");
  const seller = open[0].sellerId;
  const mine = open.filter((i) => i.sellerId === seller);
  const refund = await recordPendingRefund(
    env,
    order,
    auth.userId,
    Math.min(
      amount,
      mine.reduce((n, i) => n + unitAmount(order, i) * (i.quantity - (returned.get(i.id) ?? 0)), 0),
    ),
    reason,
  );
  const ret = await requestReturn(
    env,
    auth,
    {
      order_id: order.id,
      items: mine.map((i) => ({ order_item_id: i.id, quantity: i.quantity - (returned.get(i.id) ?? 0) })),
      reason,
    },
    { requestedAmount: refund.amount, refundId: refund.refund_id },
  );
  return { ...refund, return_id: ret.return_id };
}

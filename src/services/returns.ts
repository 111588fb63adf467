import { defaultVariantId } from "../lib/variant-ids";
import { and, desc, eq, lt, ne, or, type SQL } from "drizzle-orm";
import { getDb } from "../db/client";
import { returns } from "../db/schema/returns";
import { eachOrderShard, onOrderShard } from "../db/shards";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AuthContext } from "../types";
import { adjustStock } from "./inventory";
import { notify } from "./notifications";
import { findOrder, type OrderItemRow, type OrderRow } from "./orders";
import { createRefund, linePaid, recordPendingRefund } from "./payments";
import { sellerSettings } from "./ledger";

/**
 * Returns (RMA): the buyer asks to send back some delivered units of one seller's lines, within
 * the return window; the seller (or an admin) approves with a label or rejects with a note; the
 * buyer adds the tracking number; the seller marks the units received with their condition.
 * Sellable units go back to stock, and the refund is issued then (not before): the money moves
 * only for goods that came back. Each step tells the other side.
 *
 *   requested -> approved -> in_transit -> refunded (received, refund issued)
 *   requested -> rejected
 */
export type ReturnRow = typeof returns.$inferSelect;
type Line = ReturnRow["items"][number];

export function toReturn(r: ReturnRow) {
  return {
    return_id: r.id,
    order_id: r.orderId,
    user_id: r.userId,
    seller_id: r.sellerId,
    status: r.status,
    items: r.items.map((i) => ({
      order_item_id: i.order_item_id,
      product_id: i.product_id,
      variant_id: i.variant_id ?? defaultVariantId(i.product_id),
      quantity: i.quantity,
      condition: i.condition,
    })),
    reason: r.reason,
    note: r.note,
    label: r.label,
    tracking_number: r.trackingNumber,
    refund_id: r.refundId,
    amount: r.amount,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const conflict = (message: string) => new ApiError("invalid_state", message);
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

async function tell(env: Env, userId: string, r: ReturnRow, title: string, body: string) {
  await notify(env, {
    userId,
    kind: "return_update",
    title,
    body,
    data: { return_id: r.id, order_id: r.orderId, status: r.status },
    dedupeKey: `return:${r.id}:${r.status}:${userId}`,
  });
}

async function load(env: Pick<Env, "DB">, id: string): Promise<ReturnRow | undefined> {
  for (const e of eachOrderShard(env)) {
    const row = await getDb(e).select().from(returns).where(eq(returns.id, id)).get();
    if (row) return row;
  }
  return undefined;
}

type Role = "buyer" | "seller" | "admin";
function roleOn(auth: AuthContext, r: ReturnRow): Role | null {
  if (auth.role === "admin") return "admin";
  if (auth.userId === r.userId) return "buyer";
  if (auth.userId === r.sellerId) return "seller";
  return null;
}

/** A return for someone allowed to see it (anyone else: 404, so that it does not leak). */
export async function getReturn(env: Pick<Env, "DB">, auth: AuthContext, id: string) {
  const r = await load(env, id);
  if (!r || !roleOn(auth, r)) throw new ApiError("not_found", "Return not found");
  return { row: r, role: roleOn(auth, r)! };
}

/** Compare-and-set of the status: of two racing decisions exactly one wins. */
async function move(
  env: Pick<Env, "DB">,
  r: ReturnRow,
  from: ReturnRow["status"][],
  patch: Partial<ReturnRow>,
): Promise<ReturnRow> {
  const db = getDb(onOrderShard(env, r.orderId));
  for (const status of from) {
    const row = await db
      .update(returns)
      .set({ ...patch, updatedAt: new Date().toISOString() })
      .where(and(eq(returns.id, r.id), eq(returns.status, status)))
      .returning()
      .get();
    if (row) return row;
  }
  throw conflict(`A return that is ${r.status} cannot become ${patch.status}`);
}

function assertSellerSide(role: Role) {
  if (role !== "seller" && role !== "admin")
    throw new ApiError("forbidden", "Only the seller of these lines or an admin decides a return");
}

export async function approveReturn(env: Env, auth: AuthContext, id: string, note?: string) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  const worth = row.items.reduce((n, i) => n + i.unit_amount * i.quantity, 0);
  const { refundOnApprovalBelow } = await sellerSettings(env, row.sellerId);
  if (refundOnApprovalBelow !== null && worth < refundOnApprovalBelow) {
    // Low value: the seller's policy refunds on approval and keeps no parcel (nothing restocks).
    const approved = await move(env, row, ["requested"], { status: "approved", note: note ?? null, label: null });
    const amount = row.requestedAmount !== null ? Math.min(row.requestedAmount, worth) : worth;
    const refund = await createRefund(
      env,
      { userId: auth.userId, role: "admin" },
      { order_id: row.orderId, amount, reason: `return ${row.id} (refunded on approval)` },
      {
        refundId: row.refundId ?? undefined,
        allowStatuses: ["delivered", "partially_refunded", "shipped", "paid"],
        audited: false,
        restock: false,
        forLines: row.items.map((i) => i.order_item_id),
      },
    );
    const done = await move(env, approved, ["approved"], { status: "refunded", refundId: refund.refund_id, amount });
    await tell(
      env,
      row.userId,
      done,
      "Return refunded",
      `Your return for order ${row.orderId} was refunded; keep the item.`,
    );
    return toReturn(done);
  }
  const next = await move(env, row, ["requested"], { status: "approved", note: note ?? null, label: `RMA-${row.id}` });
  await tell(
    env,
    row.userId,
    next,
    "Return approved",
    `Your return for order ${row.orderId} was approved. Write RMA-${row.id} on the parcel and add its tracking number.`,
  );
  return toReturn(next);
}

export async function rejectReturn(env: Env, auth: AuthContext, id: string, note: string) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  const next = await move(env, row, ["requested"], { status: "rejected", note });
  await tell(
    env,
    row.userId,
    next,
    "Return declined",
    `Your return for order ${row.orderId} was declined: ${note.slice(0, 200)}`,
  );
  return toReturn(next);
}

export async function addReturnTracking(env: Env, auth: AuthContext, id: string, trackingNumber: string) {
  const { row, role } = await getReturn(env, auth, id);
  if (role !== "buyer") throw new ApiError("forbidden", "Only the buyer adds the return's tracking number");
  const next = await move(env, row, ["approved"], { status: "in_transit", trackingNumber });
  await tell(
    env,
    row.sellerId,
    next,
    "Return on its way",
    `The return for order ${row.orderId} is on its way (tracking ${trackingNumber}).`,
  );
  return toReturn(next);
}

/**
 * The seller received the parcel: each unit's condition is recorded, sellable units go back to
 * stock, and the refund is issued for the units that came back (or the amount the buyer asked for
 * through POST /payments/refunds, if less). Units not in the parcel are not refunded.
 */
export async function receiveReturn(
  env: Env,
  auth: AuthContext,
  id: string,
  received: { order_item_id: string; quantity: number; condition: "sellable" | "damaged" }[],
) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  if (row.status !== "approved" && row.status !== "in_transit")
    throw conflict(`A return that is ${row.status} cannot be received`);
  const expected = new Map(row.items.map((i) => [i.order_item_id, i]));
  const counted = new Map<string, number>();
  for (const [n, r] of received.entries()) {
    const line = expected.get(r.order_item_id);
    if (!line)
      throw new ApiError("validation_failed", "Not a line of this return", {
        details: [{ field: `items.${n}.order_item_id`, code: "not_found", message: "not in this return" }],
      });
    counted.set(r.order_item_id, (counted.get(r.order_item_id) ?? 0) + r.quantity);
    if (counted.get(r.order_item_id)! > line.quantity) {
      throw new ApiError("validation_failed", "More units than the return holds", {
        details: [{ field: `items.${n}.quantity`, code: "too_many", message: `at most ${line.quantity}` }],
      });
    }
  }
  // Claim the step first, so a second receive of the same parcel does nothing twice.
  const claimed = await move(env, row, ["approved", "in_transit"], { status: "received" });
  const items: Line[] = row.items.map((i) => {
    const got = received.filter((r) => r.order_item_id === i.order_item_id);
    const damaged = got.some((r) => r.condition === "damaged");
    return {
      ...i,
      quantity: got.reduce((n, r) => n + r.quantity, 0),
      condition: got.length ? (damaged ? "damaged" : "sellable") : null,
    };
  });
  for (const r of received) {
    if (r.condition !== "sellable" || r.quantity === 0) continue;
    const line = expected.get(r.order_item_id)!;
    await adjustStock(
      env,
      { product_id: line.product_id, variant_id: line.variant_id },
      `return:${row.id}:${r.order_item_id}:${r.condition}`,
      r.quantity,
    );
  }
  const worth = received.reduce((sum, r) => sum + expected.get(r.order_item_id)!.unit_amount * r.quantity, 0);
  const amount = row.requestedAmount !== null ? Math.min(row.requestedAmount, worth) : worth;
  let refundId = row.refundId;
  if (amount > 0) {
    const refund = await createRefund(
      env,
      { userId: auth.userId, role: "admin" },
      { order_id: row.orderId, amount, reason: `return ${row.id}: ${row.reason}`.slice(0, 500) },
      {
        refundId: row.refundId ?? undefined,
        allowStatuses: ["delivered", "partially_refunded", "shipped", "paid"],
        audited: false,
        restock: false,
        forLines: row.items.map((i) => i.order_item_id),
      },
    );
    refundId = refund.refund_id;
  }
  const done = await move(env, claimed, ["received"], { status: "refunded", items, refundId, amount });
  await tell(
    env,
    row.userId,
    done,
    "Return received, refund issued",
    `We received your return for order ${row.orderId} and refunded it.`,
  );
  return toReturn(done);
}

/** Buyer: theirs; seller: the returns of their lines; admin: all. Newest first, one read per order database. */
export async function listReturns(
  env: Pick<Env, "DB">,
  auth: AuthContext,
  q: { status?: ReturnRow["status"]; limit: number; cursor?: string },
) {
  const where: SQL[] = [];
  if (auth.role === "seller") where.push(or(eq(returns.sellerId, auth.userId), eq(returns.userId, auth.userId))!);
  else if (auth.role !== "admin") where.push(eq(returns.userId, auth.userId));
  if (q.status) where.push(eq(returns.status, q.status));
  if (q.cursor) where.push(lt(returns.id, String(decodeCursor(q.cursor, 1)[0])));
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      getDb(e)
        .select()
        .from(returns)
        .where(and(...where))
        .orderBy(desc(returns.id))
        .limit(q.limit + 1)
        .all(),
    ),
  );
  const rows = perShard
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, q.limit + 1);
  const page = toPage(rows, q.limit, (r) => [r.id]);
  return { data: page.data.map(toReturn), next_cursor: page.next_cursor };
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

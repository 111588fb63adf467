import { and, desc, eq, inArray, lt } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { orderItems, orders, payments } from "../db/schema";
import { ApiError } from "../lib/errors";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AuthContext } from "../types";
import { buildEvent, dispatchEvents, OrderEventData, outboxInsert, type DomainEvent } from "./events";

/**
 * The orders module: owns `orders` and `order_items`. An order holds the items
 * of every seller in the cart; each seller fulfils (and sees) only their own
 * items, like a seller sub-order. Status moves follow one state machine, and
 * every move writes an `order.*` event in the same D1 batch.
 */
export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderStatus = OrderRow["status"];

export type OrderEventPayload = z.infer<typeof OrderEventData>;
export { OrderEventData };

export function orderEvent(
  type: "order.created" | "order.paid" | "order.shipped" | "order.delivered" | "order.cancelled" | "order.refunded",
  order: OrderRow,
  items: OrderItemRow[],
  extra: Partial<OrderEventPayload> = {},
): DomainEvent {
  return buildEvent(type, {
    order_id: order.id,
    user_id: order.userId,
    status: order.status,
    total_amount: order.totalAmount,
    currency: order.currency,
    tracking_number: order.trackingNumber,
    seller_ids: [...new Set(items.map((i) => i.sellerId))],
    items: items.map((i) => ({ product_id: i.productId, seller_id: i.sellerId, quantity: i.quantity, price: i.price })),
    ...extra,
  });
}

export async function findOrder(env: Pick<Env, "DB">, id: string): Promise<{ order: OrderRow; items: OrderItemRow[] } | null> {
  const db = getDb(env);
  const [o, items] = await db.batch([
    db.select().from(orders).where(eq(orders.id, id)),
    db.select().from(orderItems).where(eq(orderItems.orderId, id)).orderBy(orderItems.id),
  ]);
  return o[0] ? { order: o[0], items } : null;
}

export type Viewer = "buyer" | "seller" | "admin";

/** Who is looking: the buyer, a seller of some of its items, an admin; anyone else gets 404 (existence does not leak). */
export function viewerOf(auth: AuthContext, order: OrderRow, items: OrderItemRow[]): Viewer {
  if (auth.role === "admin") return "admin";
  if (order.userId === auth.userId) return "buyer";
  if (items.some((i) => i.sellerId === auth.userId)) return "seller";
  throw new ApiError("not_found", "Order not found");
}

export async function latestPayment(env: Pick<Env, "DB">, orderId: string) {
  return getDb(env).select().from(payments).where(eq(payments.orderId, orderId)).orderBy(desc(payments.id)).limit(1).get();
}

export function toOrder(order: OrderRow, items: OrderItemRow[], opts: { viewer?: Viewer; sellerId?: string; payment?: typeof payments.$inferSelect | null } = {}) {
  // A seller sees their part only.
  const visible = opts.viewer === "seller" ? items.filter((i) => i.sellerId === opts.sellerId) : items;
  const payment = opts.payment;
  return {
    order_id: order.id,
    user_id: order.userId,
    status: order.status,
    items: visible.map((i) => ({
      order_item_id: i.id,
      product_id: i.productId,
      seller_id: i.sellerId,
      name: i.name,
      quantity: i.quantity,
      price: i.price,
      discount: i.discount,
      status: i.status,
      tracking_number: i.trackingNumber,
    })),
    subtotal: order.subtotal,
    discount: order.discount,
    shipping: order.shipping,
    total_amount: order.totalAmount,
    wallet_amount: order.walletAmount,
    refunded_amount: order.refundedAmount,
    currency: order.currency,
    coupon_codes: order.couponCodes,
    shipping_address: order.shippingAddress,
    tracking_number: order.trackingNumber,
    payment:
      payment && opts.viewer !== "seller"
        ? {
            payment_id: payment.id,
            status: payment.status,
            amount: payment.amount,
            transaction_ref: payment.transactionRef,
            ...(payment.status === "requires_action" ? { client_secret: payment.clientSecret } : {}),
          }
        : null,
    paid_at: order.paidAt,
    shipped_at: order.shippedAt,
    delivered_at: order.deliveredAt,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

export async function getOrderFor(env: Pick<Env, "DB">, auth: AuthContext, id: string) {
  const found = await findOrder(env, id);
  if (!found) throw new ApiError("not_found", "Order not found");
  const viewer = viewerOf(auth, found.order, found.items);
  const payment = viewer === "seller" ? null : await latestPayment(env, id);
  return toOrder(found.order, found.items, { viewer, sellerId: auth.userId, payment });
}

/** The buyer's orders, newest first. */
export async function listOrders(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const where = [eq(orders.userId, userId)];
  if (cursor) where.push(lt(orders.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env).select().from(orders).where(and(...where)).orderBy(desc(orders.id)).limit(limit + 1).all();
  const page = toPage(rows, limit, (r) => [r.id]);
  const items = page.data.length
    ? await getDb(env).select().from(orderItems).where(inArray(orderItems.orderId, page.data.map((o) => o.id))).orderBy(orderItems.id).all()
    : [];
  return { data: page.data.map((o) => toOrder(o, items.filter((i) => i.orderId === o.id), { viewer: "buyer" })), next_cursor: page.next_cursor };
}

/** A seller's sub-orders: orders holding their items, newest first, with only their items. */
export async function listSellerOrders(env: Pick<Env, "DB">, sellerId: string, limit: number, cursor?: string, status?: string) {
  const where = [eq(orderItems.sellerId, sellerId)];
  if (cursor) where.push(lt(orderItems.orderId, String(decodeCursor(cursor, 1)[0])));
  const ids = await getDb(env)
    .selectDistinct({ orderId: orderItems.orderId })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(and(...where, ...(status ? [eq(orders.status, status as OrderStatus)] : [])))
    .orderBy(desc(orderItems.orderId))
    .limit(limit + 1)
    .all();
  const page = toPage(ids, limit, (r) => [r.orderId]);
  if (page.data.length === 0) return { data: [], next_cursor: null };
  const orderIds = page.data.map((r) => r.orderId);
  const db = getDb(env);
  const [os, items] = await db.batch([
    db.select().from(orders).where(inArray(orders.id, orderIds)).orderBy(desc(orders.id)),
    db.select().from(orderItems).where(and(inArray(orderItems.orderId, orderIds), eq(orderItems.sellerId, sellerId))),
  ]);
  return {
    data: os.map((o) => toOrder(o, items.filter((i) => i.orderId === o.id), { viewer: "seller", sellerId })),
    next_cursor: page.next_cursor,
  };
}

/** Writes a status change with its event; `expect` guards against a concurrent move (compare-and-set). */
export async function transition(
  env: Pick<Env, "DB" | "EVENTS">,
  order: OrderRow,
  items: OrderItemRow[],
  expect: OrderStatus[],
  patch: Partial<OrderRow>,
  itemPatch: { ids: string[]; set: Partial<OrderItemRow> } | null,
  eventType: Parameters<typeof orderEvent>[0] | null,
  extra: Partial<OrderEventPayload> = {},
): Promise<OrderRow> {
  const now = new Date().toISOString();
  const next: OrderRow = { ...order, ...patch, updatedAt: now };
  const nextItems = items.map((i) => (itemPatch?.ids.includes(i.id) ? { ...i, ...itemPatch.set } : i));
  const event = eventType ? orderEvent(eventType, next, nextItems, extra) : null;
  // One batch (one transaction): the guarded update, then the item updates and
  // the outbox row, each conditional on the guarded update having won (the
  // order now carries this move's timestamp and status).
  const cols = Object.entries(toColumns(patch));
  const won = `EXISTS (SELECT 1 FROM orders WHERE id = ? AND updated_at = ? AND status = ?)`;
  const statements = [
    env.DB.prepare(
      `UPDATE orders SET ${[...cols.map(([c]) => `${c} = ?`), "updated_at = ?"].join(", ")} WHERE id = ? AND status IN (${expect.map(() => "?").join(",")})`,
    ).bind(...cols.map(([, v]) => v), now, order.id, ...expect),
  ];
  if (itemPatch && itemPatch.ids.length) {
    const icols = Object.entries(toColumns(itemPatch.set));
    statements.push(
      env.DB.prepare(
        `UPDATE order_items SET ${icols.map(([c]) => `${c} = ?`).join(", ")} WHERE id IN (${itemPatch.ids.map(() => "?").join(",")}) AND ${won}`,
      ).bind(...icols.map(([, v]) => v), ...itemPatch.ids, order.id, now, next.status),
    );
  }
  if (event) {
    statements.push(
      env.DB.prepare(`INSERT INTO outbox_events (id, type, payload, created_at) SELECT ?, ?, ?, ? WHERE ${won}`).bind(
        event.id,
        event.type,
        JSON.stringify(event),
        event.occurred_at,
        order.id,
        now,
        next.status,
      ),
    );
  }
  const results = await env.DB.batch(statements);
  if ((results[0].meta.changes ?? 0) === 0) {
    throw new ApiError("invalid_state", `The order changed meanwhile; it is no longer ${expect.join(" or ")}`);
  }
  if (event) await dispatchEvents(env, [event]);
  return next;
}

const SNAKE: Record<string, string> = {};
/** drizzle field names to column names, values to what D1 stores (JSON as text). */
function toColumns(patch: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const col = (SNAKE[k] ??= k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
    out[col] = v === null ? null : typeof v === "object" ? JSON.stringify(v) : typeof v === "boolean" ? (v ? 1 : 0) : (v as string | number);
  }
  return out;
}

export { outboxInsert };

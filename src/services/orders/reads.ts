import { defaultVariantId } from "../../lib/variant-ids";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { orderItems, orders } from "../../db/schema/orders";
import { onOrderShard } from "../../db/shards";
import { ApiError } from "../../lib/errors";
import { latestPayment, lineCaptureState, type PaymentRow } from "../payment-records";
import { decodeCursor, toPage } from "../../lib/pagination";
import type { AuthContext } from "../../types";
import { type OrderRow, type OrderItemRow, type Viewer, viewerOf } from "./model";
import { chunk, indexedOrderIds, byOrderDb } from "./locate";

/** Reading orders (by id, by buyer, by seller) and their API shape, a seller seeing only their part. */

/** Orders with their items by id, each read from its own database (one batch per database), in the given order. */
async function ordersByIds(env: Pick<Env, "DB">, ids: string[]): Promise<{ order: OrderRow; items: OrderItemRow[] }[]> {
  const found = new Map<string, { order: OrderRow; items: OrderItemRow[] }>();
  await Promise.all(
    [...byOrderDb(env, ids)].map(async ([d1, all]) => {
      const db = getDb({ DB: d1 });
      // D1 binds at most 100 values per statement: a page of 100 (plus one to see if there is more) goes in chunks.
      for (const list of chunk(all, 90)) {
        const [os, items] = await db.batch([
          db.select().from(orders).where(inArray(orders.id, list)),
          db.select().from(orderItems).where(inArray(orderItems.orderId, list)).orderBy(orderItems.id),
        ]);
        for (const o of os) found.set(o.id, { order: o, items: items.filter((i) => i.orderId === o.id) });
      }
    }),
  );
  return ids.map((id) => found.get(id)).filter((x): x is { order: OrderRow; items: OrderItemRow[] } => !!x);
}

/** Whether the buyer has a delivered order holding this product: the buyer's index, a page of orders at a time. */
export async function hasDeliveredItem(env: Pick<Env, "DB">, buyerId: string, productId: string): Promise<boolean> {
  let before: string | undefined;
  for (;;) {
    const ids = await indexedOrderIds(env, buyerId, "buyer", 90, before);
    if (ids.length === 0) return false;
    for (const [db, list] of byOrderDb(env, ids)) {
      const row = await db
        .prepare(
          `SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id
           WHERE o.id IN (${list.map(() => "?").join(",")}) AND i.product_id = ?
             AND i.status NOT IN ('refunded', 'cancelled') AND (i.status = 'delivered' OR o.delivered_at IS NOT NULL) LIMIT 1`,
        )
        .bind(...list, productId)
        .first();
      if (row) return true;
    }
    before = ids[ids.length - 1];
  }
}

export async function findOrder(
  env: Pick<Env, "DB">,
  id: string,
): Promise<{ order: OrderRow; items: OrderItemRow[] } | null> {
  const db = getDb(onOrderShard(env, id));
  const [o, items] = await db.batch([
    db.select().from(orders).where(eq(orders.id, id)),
    db.select().from(orderItems).where(eq(orderItems.orderId, id)).orderBy(orderItems.id),
  ]);
  return o[0] ? { order: o[0], items } : null;
}

export function toOrder(
  order: OrderRow,
  items: OrderItemRow[],
  opts: { viewer?: Viewer; sellerId?: string; payment?: PaymentRow | null } = {},
) {
  // A seller sees their part only.
  const asSeller = opts.viewer === "seller";
  const visible = asSeller ? items.filter((i) => i.sellerId === opts.sellerId) : items;
  const payment = opts.payment;
  // ... and their share of the money: the order's totals, coupons, store credit and the other
  // sellers' tracking numbers are the buyer's business.
  const lineTotal = (list: OrderItemRow[]) => list.reduce((sum, i) => sum + i.price * i.quantity - i.discount, 0);
  const sellerShare = asSeller
    ? {
        subtotal: visible.reduce((sum, i) => sum + i.price * i.quantity, 0),
        discount: visible.reduce((sum, i) => sum + i.discount, 0),
        shipping: 0,
        total_amount: lineTotal(visible),
        wallet_amount: 0,
        refunded_amount: lineTotal(visible.filter((i) => i.status === "refunded" || i.status === "cancelled")),
        coupon_codes: [] as string[],
        tracking_number: visible.find((i) => i.trackingNumber)?.trackingNumber ?? null,
      }
    : null;
  return {
    order_id: order.id,
    user_id: order.userId,
    status: order.status,
    items: visible.map((i) => ({
      order_item_id: i.id,
      product_id: i.productId,
      variant_id: i.variantId ?? defaultVariantId(i.productId),
      options: i.options ?? {},
      seller_id: i.sellerId,
      name: i.name,
      quantity: i.quantity,
      price: i.price,
      discount: i.discount,
      tax: i.tax ?? 0,
      status: i.status,
      capture_state: lineCaptureState(payment, i),
      tracking_number: i.trackingNumber,
    })),
    subtotal: order.subtotal,
    discount: order.discount,
    shipping: order.shipping,
    shipping_total: order.shipping,
    shipping_lines: order.shippingLines ?? [],
    tax_total: order.taxTotal ?? 0,
    tax_included: order.taxIncluded ?? 0,
    total_amount: order.totalAmount,
    wallet_amount: order.walletAmount,
    refunded_amount: order.refundedAmount,
    currency: order.currency,
    coupon_codes: order.couponCodes,
    shipping_address: order.shippingAddress,
    tracking_number: order.trackingNumber,
    ...sellerShare,
    payment:
      payment && opts.viewer !== "seller"
        ? {
            payment_id: payment.id,
            status: payment.status,
            amount: payment.amount,
            capture_method: payment.captureMethod,
            captured_amount: payment.capturedAmount,
            released_amount: payment.releasedAmount,
            transaction_ref: payment.transactionRef,
            ...(payment.status === "requires_action"
              ? { client_secret: payment.clientSecret, next_action: payment.nextAction }
              : {}),
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
  // (A seller sees no payment, only their lines' capture states.)
  const payment = await latestPayment(env, id);
  return toOrder(found.order, found.items, { viewer, sellerId: auth.userId, payment });
}

/** The buyer's orders, newest first, through the buyer's index. */
export async function listOrders(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const ids = await indexedOrderIds(
    env,
    userId,
    "buyer",
    limit + 1,
    cursor ? String(decodeCursor(cursor, 1)[0]) : undefined,
  );
  const found = await ordersByIds(env, ids);
  const page = toPage(found, limit, (f) => [f.order.id]);
  return { data: page.data.map((f) => toOrder(f.order, f.items, { viewer: "buyer" })), next_cursor: page.next_cursor };
}

/**
 * A seller's sub-orders: orders holding their items, newest first, with only
 * their items, through the seller's index. A status filter reads the index in
 * chunks until the page is full (at most 20 chunks per page).
 */
export async function listSellerOrders(
  env: Pick<Env, "DB">,
  sellerId: string,
  limit: number,
  cursor?: string,
  status?: string,
) {
  const matches: { order: OrderRow; items: OrderItemRow[] }[] = [];
  let before = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
  for (let round = 0; round < 20 && matches.length <= limit; round++) {
    const ids = await indexedOrderIds(env, sellerId, "seller", status ? Math.max(50, limit * 2) : limit + 1, before);
    if (ids.length === 0) break;
    for (const f of await ordersByIds(env, ids)) if (!status || f.order.status === status) matches.push(f);
    before = ids[ids.length - 1];
    if (!status) break;
  }
  const page = toPage(matches.slice(0, limit + 1), limit, (f) => [f.order.id]);
  return {
    data: page.data.map((f) =>
      toOrder(
        f.order,
        f.items.filter((i) => i.sellerId === sellerId),
        { viewer: "seller", sellerId },
      ),
    ),
    next_cursor: page.next_cursor,
  };
}

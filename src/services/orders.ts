import { defaultVariantId } from "../lib/variant-ids";
import { and, desc, eq, inArray, lt } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import { getDb, insertStatement, rowsPerInsert } from "../db/client";
import { orderIndex, orderItems, orders } from "../db/schema/orders";
import { onOrderShard, onOwnerShard } from "../db/shards";
import { ApiError } from "../lib/errors";
import { latestPayment, type PaymentRow } from "./payment-records";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AuthContext } from "../types";
import {
  buildEvent,
  dispatchEvents,
  type OrderEventData,
  outboxFromSelect,
  outboxStatement,
  type DomainEvent,
} from "./events";

/**
 * The orders module: owns `orders` and `order_items`. An order holds the items
 * of every seller in the cart; each seller fulfils (and sees) only their own
 * items, like a seller sub-order. Status moves follow one state machine, and
 * every move writes an `order.*` event in the same D1 batch.
 *
 * An order and everything about it live in the database its id hashes to;
 * lists by buyer or seller read `order_index` (src/db/shards.ts).
 */
export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;

/** The stock an order line took: its variant (lines from before variants: the product's default one). */
export const stockRefOf = (i: Pick<OrderItemRow, "productId" | "variantId">) => ({
  product_id: i.productId,
  variant_id: i.variantId,
});
export type OrderStatus = OrderRow["status"];

export type OrderEventPayload = z.infer<typeof OrderEventData>;

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
    ...(order.currency !== "usd" ? { fx_rate_micro: order.fxRateMicro } : {}),
    ...(order.taxTotal > 0 || order.taxIncluded > 0
      ? { tax: { jurisdiction: order.taxJurisdiction ?? null, added: order.taxTotal, included: order.taxIncluded } }
      : {}),
    tracking_number: order.trackingNumber,
    seller_ids: [...new Set(items.map((i) => i.sellerId))],
    items: items.map((i) => ({
      product_id: i.productId,
      variant_id: i.variantId ?? defaultVariantId(i.productId),
      seller_id: i.sellerId,
      quantity: i.quantity,
      price: i.price,
    })),
    ...extra,
  });
}

/**
 * What the buyer paid for each seller's shipping, in the order's currency: its option's price less
 * the share of a free-shipping coupon (the part of the order's discount that is on no line), taken
 * in line order.
 */
export function shippingPaidBySeller(
  order: Pick<OrderRow, "discount" | "shippingLines">,
  items: Pick<OrderItemRow, "discount">[],
): { seller_id: string; paid: number }[] {
  let coupon = Math.max(0, order.discount - items.reduce((n, i) => n + i.discount, 0));
  return (order.shippingLines ?? []).map((l) => {
    const off = Math.min(coupon, l.amount);
    coupon -= off;
    return { seller_id: l.seller_id, paid: l.amount - off };
  });
}

/** Makes an order listable by its buyer and each seller (rows in each owner's database). Idempotent. */
export async function indexOrder(
  env: Pick<Env, "DB">,
  orderId: string,
  buyerId: string,
  sellerIds: string[],
): Promise<void> {
  const owners = [
    { ownerId: buyerId, role: "buyer" as const },
    ...[...new Set(sellerIds)].map((ownerId) => ({ ownerId, role: "seller" as const })),
  ];
  await Promise.all(
    owners.map((o) =>
      getDb(onOwnerShard(env, o.ownerId))
        .insert(orderIndex)
        .values({ ...o, orderId })
        .onConflictDoNothing(),
    ),
  );
}

/**
 * A new order as writes: the statements for its home database (the order, its
 * items in inserts that stay under D1's 100 bound values, the index rows of
 * owners whose index is in that database, and its `order.created` outbox row),
 * and the index rows that live in other databases, written first (idempotent)
 * so an order never exists that its buyer or a seller cannot list.
 */
export function newOrderWrites<E extends Pick<Env, "DB">>(env: E, order: OrderRow, items: OrderItemRow[]) {
  const home = onOrderShard(env, order.id);
  const created = orderEvent("order.created", order, items);
  const owners = [
    { ownerId: order.userId, role: "buyer" as const },
    ...[...new Set(items.map((i) => i.sellerId))].map((ownerId) => ({ ownerId, role: "seller" as const })),
  ];
  const here = owners
    .filter((o) => onOwnerShard(env, o.ownerId).DB === home.DB)
    .map((o) => ({ ...o, orderId: order.id }));
  const elsewhere = owners.filter((o) => onOwnerShard(env, o.ownerId).DB !== home.DB);
  // Plain statements built from cached SQL (insertStatement): the checkout's hottest write.
  const statements = [
    insertStatement(home.DB, orders, [order]),
    ...chunk(items, rowsPerInsert(orderItems)).map((part) => insertStatement(home.DB, orderItems, part)),
    ...chunk(here, rowsPerInsert(orderIndex)).map((part) => insertStatement(home.DB, orderIndex, part, "ignore")),
    outboxStatement(home.DB, created),
  ];
  return {
    home,
    created,
    indexElsewhere: () =>
      Promise.all(
        elsewhere.map((o) =>
          getDb(onOwnerShard(env, o.ownerId))
            .insert(orderIndex)
            .values({ ...o, orderId: order.id })
            .onConflictDoNothing(),
        ),
      ),
    write: () => home.DB.batch(statements),
  };
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Order ids an owner can list, newest first (ids sort by time), from the owner's index. */
async function indexedOrderIds(
  env: Pick<Env, "DB">,
  ownerId: string,
  role: "buyer" | "seller",
  limit: number,
  before?: string,
): Promise<string[]> {
  const where = [eq(orderIndex.ownerId, ownerId), eq(orderIndex.role, role)];
  if (before) where.push(lt(orderIndex.orderId, before));
  const rows = await getDb(onOwnerShard(env, ownerId))
    .select({ id: orderIndex.orderId })
    .from(orderIndex)
    .where(and(...where))
    .orderBy(desc(orderIndex.orderId))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/** Order ids grouped by the database that holds them. */
function byOrderDb(env: Pick<Env, "DB">, ids: string[]): Map<D1Database, string[]> {
  const byDb = new Map<D1Database, string[]>();
  for (const id of ids) {
    const db = onOrderShard(env, id).DB;
    byDb.set(db, [...(byDb.get(db) ?? []), id]);
  }
  return byDb;
}

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

export type Viewer = "buyer" | "seller" | "admin";

/** Who is looking: the buyer, a seller of some of its items, an admin; anyone else gets 404 (existence does not leak). */
export function viewerOf(auth: AuthContext, order: OrderRow, items: OrderItemRow[]): Viewer {
  if (auth.role === "admin") return "admin";
  if (order.userId === auth.userId) return "buyer";
  if (items.some((i) => i.sellerId === auth.userId)) return "seller";
  throw new ApiError("not_found", "Order not found");
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
  also: D1PreparedStatement[] = [],
): Promise<OrderRow> {
  const now = new Date().toISOString();
  const next: OrderRow = { ...order, ...patch, updatedAt: now };
  const nextItems = items.map((i) => (itemPatch?.ids.includes(i.id) ? { ...i, ...itemPatch.set } : i));
  const event = eventType ? orderEvent(eventType, next, nextItems, extra) : null;
  // One batch (one transaction): the guarded update, then the item updates and
  // the outbox row, each conditional on the guarded update having won (the
  // order now carries this move's timestamp and status).
  const home = onOrderShard(env, order.id);
  const { DB } = home;
  const cols = Object.entries(toColumns(patch));
  const won = `EXISTS (SELECT 1 FROM orders WHERE id = ? AND updated_at = ? AND status = ?)`;
  const statements = [
    DB.prepare(
      `UPDATE orders SET ${[...cols.map(([c]) => `${c} = ?`), "updated_at = ?"].join(", ")} WHERE id = ? AND status IN (${expect.map(() => "?").join(",")})`,
    ).bind(...cols.map(([, v]) => v), now, order.id, ...expect),
  ];
  if (itemPatch?.ids.length) {
    const icols = Object.entries(toColumns(itemPatch.set));
    // In chunks, so a 100-line order stays under D1's 100 bound values per statement.
    const per = 100 - icols.length - 3;
    for (const ids of chunk(itemPatch.ids, per)) {
      statements.push(
        DB.prepare(
          `UPDATE order_items SET ${icols.map(([c]) => `${c} = ?`).join(", ")} WHERE id IN (${ids.map(() => "?").join(",")}) AND ${won}`,
        ).bind(...icols.map(([, v]) => v), ...ids, order.id, now, next.status),
      );
    }
  }
  if (event) {
    statements.push(
      outboxFromSelect(
        DB,
        `SELECT ?, ?, ?, ? WHERE ${won}`,
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
  // `also`: the caller's rows for the same transaction (the payment record of the charge that moved it).
  const results = await DB.batch([...statements, ...also]);
  if ((results[0].meta.changes ?? 0) === 0) {
    throw new ApiError("invalid_state", `The order changed meanwhile; it is no longer ${expect.join(" or ")}`);
  }
  if (event) await dispatchEvents(home, [event]);
  return next;
}

const SNAKE: Record<string, string> = {};
/** drizzle field names to column names, values to what D1 stores (JSON as text). */
function toColumns(patch: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const col = (SNAKE[k] ??= k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
    out[col] =
      v === null
        ? null
        : typeof v === "object"
          ? JSON.stringify(v)
          : typeof v === "boolean"
            ? v
              ? 1
              : 0
            : (v as string | number);
  }
  return out;
}

/** Every order of a buyer (the data export), page by page through their index. */
export async function allOrdersOf(env: Pick<Env, "DB">, userId: string, max = 10_000) {
  const out: ReturnType<typeof toOrder>[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOrders(env, userId, 100, cursor);
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/**
 * Erasure: the buyer's orders stay (accounting needs amounts, items and dates) without the
 * personal data in them: the shipping address is replaced in every one of their orders.
 */
export async function erasePersonalDataInOrders(env: Pick<Env, "DB">, userId: string): Promise<number> {
  let erased = 0;
  let before: string | undefined;
  for (;;) {
    const ids = await indexedOrderIds(env, userId, "buyer", 90, before);
    if (ids.length === 0) return erased;
    for (const [db, list] of byOrderDb(env, ids)) {
      const res = await db
        .prepare(
          `UPDATE orders SET shipping_address = '"(erased)"', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id IN (${list.map(() => "?").join(",")})`,
        )
        .bind(...list)
        .run();
      erased += res.meta.changes ?? 0;
    }
    before = ids[ids.length - 1];
  }
}

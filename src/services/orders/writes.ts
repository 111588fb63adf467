import { getDb, insertStatement, rowsPerInsert } from "../../db/client";
import { orderIndex, orderItems, orders } from "../../db/schema/orders";
import { onOrderShard, onOwnerShard } from "../../db/shards";
import { outboxStatement } from "../events";
import { type OrderRow, type OrderItemRow, orderEvent } from "./model";
import { chunk } from "./locate";

/** The checkout's write of a new order: its rows, its index entries and its `order.created` outbox row. */

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
    /** The batch; `first` run before the order's own statements in its transaction (checkout's pricing guards). */
    write: (first: D1PreparedStatement[] = []) => home.DB.batch([...first, ...statements]),
  };
}

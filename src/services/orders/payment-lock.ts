import { and, eq, isNull, lt, or } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { onOrderShard } from "../../db/shards";
import { orders } from "../../db/schema/orders";

/**
 * The order's side of a payment attempt. An attempt takes the order's payment lock first, so two
 * pay calls for one order cannot both charge; the lock lapses by itself (`until`) if the worker
 * dies mid-attempt.
 */
export async function lockForPayment(env: Pick<Env, "DB">, orderId: string, until: number): Promise<boolean> {
  const now = Date.now();
  const locked = await getDb(onOrderShard(env, orderId))
    .update(orders)
    .set({ paymentLockUntil: until })
    .where(
      and(
        eq(orders.id, orderId),
        eq(orders.status, "pending_payment"),
        or(isNull(orders.paymentLockUntil), lt(orders.paymentLockUntil, now)),
      ),
    )
    .returning({ id: orders.id });
  return locked.length > 0;
}

export async function unlockPayment(env: Pick<Env, "DB">, orderId: string): Promise<void> {
  await getDb(onOrderShard(env, orderId)).update(orders).set({ paymentLockUntil: null }).where(eq(orders.id, orderId));
}

/**
 * An attempt that left the order unpaid (declined, or waiting on the buyer's authentication), for a
 * batch on the order's database: the lock goes, and the store credit it keeps is `walletAmount`.
 */
export function attemptLeftUnpaid(db: Db, orderId: string, walletAmount: number) {
  return db.update(orders).set({ walletAmount, paymentLockUntil: null }).where(eq(orders.id, orderId));
}

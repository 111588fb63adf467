import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { orderItems, type orders } from "../../db/schema/orders";

type OrderStatus = (typeof orders.$inferSelect)["status"];

/**
 * The order's side of a refund (the payments module moves the money). A refund first claims its
 * amount on the order in one guarded statement, so two refunds racing can never give back more
 * than was paid; the status follows in the same statement. Null: the claim lost (too much, or the
 * order is in none of the `allowed` states).
 */
export async function claimRefund(
  d1: D1Database,
  orderId: string,
  amount: number,
  allowed: readonly string[],
): Promise<{ refunded_amount: number; status: OrderStatus } | null> {
  return d1
    .prepare(
      `UPDATE orders SET refunded_amount = refunded_amount + ?1,
         status = CASE WHEN refunded_amount + ?1 >= total_amount THEN 'refunded' ELSE 'partially_refunded' END,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE id = ?2 AND refunded_amount + ?1 <= total_amount AND status IN (${allowed.map(() => "?").join(",")})
       RETURNING refunded_amount, status`,
    )
    .bind(amount, orderId, ...allowed)
    .first<{ refunded_amount: number; status: OrderStatus }>();
}

/** Gives a claim back when the money could not move, and the status with it (`restore` once nothing is refunded). */
export async function releaseRefundClaim(
  d1: D1Database,
  orderId: string,
  amount: number,
  restore: OrderStatus,
): Promise<void> {
  await d1
    .prepare(
      `UPDATE orders SET refunded_amount = refunded_amount - ?1,
         status = CASE WHEN refunded_amount - ?1 = 0 THEN ?3 ELSE 'partially_refunded' END
       WHERE id = ?2`,
    )
    .bind(amount, orderId, restore)
    .run();
}

/**
 * The line statuses a refund leaves, for the refund's own batch: the refunded lines take `status`;
 * a refund of the whole order (no lines named) marks every line refunded once the claim made the
 * order `refunded`.
 */
export function refundedLinesUpdate(
  db: Db,
  orderId: string,
  claimStatus: OrderStatus,
  lines?: { ids: string[]; status: "refunded" | "cancelled" },
) {
  return lines
    ? db.update(orderItems).set({ status: lines.status }).where(inArray(orderItems.id, lines.ids))
    : db
        .update(orderItems)
        .set({ status: "refunded" })
        .where(and(eq(orderItems.orderId, orderId), sql`${claimStatus} = 'refunded'`));
}

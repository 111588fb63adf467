import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { couponRedemptions } from "../../db/schema/promotions";

/** A coupon use, taken at checkout within the coupon's budget and given back when the order is not paid. */

/**
 * Takes one use of the coupon for this order, atomically against both limits:
 * the conditional insert and the counter update run in one D1 batch (one
 * transaction on the single writer), so 50 racing checkouts of a 10-use coupon
 * redeem exactly 10. Idempotent per (coupon, order). Returns false when a limit
 * is reached.
 */
export async function redeem(
  env: Pick<Env, "DB">,
  couponId: string,
  orderId: string,
  userId: string,
  amount: number,
): Promise<boolean> {
  const db = getDb(env);
  const existing = await db
    .select({ orderId: couponRedemptions.orderId })
    .from(couponRedemptions)
    .where(and(eq(couponRedemptions.couponId, couponId), eq(couponRedemptions.orderId, orderId)))
    .get();
  if (existing) return true;
  const [insert] = await env.DB.batch([
    env.DB.prepare(
      `INSERT OR IGNORE INTO coupon_redemptions (coupon_id, order_id, user_id, amount)
       SELECT c.id, ?2, ?3, ?4 FROM coupons c
       WHERE c.id = ?1
         AND (c.usage_limit IS NULL OR (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id) < c.usage_limit)
         AND (c.per_customer_limit IS NULL OR (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.user_id = ?3) < c.per_customer_limit)`,
    ).bind(couponId, orderId, userId, amount),
    env.DB.prepare(
      "UPDATE coupons SET times_redeemed = (SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ?1) WHERE id = ?1",
    ).bind(couponId),
  ]);
  return (insert.meta.changes ?? 0) > 0;
}

/** Gives a use back (the charge failed or the order was cancelled). */
export async function unredeem(env: Pick<Env, "DB">, couponId: string, orderId: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM coupon_redemptions WHERE coupon_id = ? AND order_id = ?").bind(couponId, orderId),
    env.DB.prepare(
      "UPDATE coupons SET times_redeemed = (SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ?1) WHERE id = ?1",
    ).bind(couponId),
  ]);
}

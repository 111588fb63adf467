import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { payouts, sellerPayoutSettings } from "../../db/schema/ledger";
import { newId } from "../../lib/ids";
import { MIN_PAYOUT, CLEARING, sellerAccount, post } from "./accounts";
import { payoutSettings } from "./settings";

/** Paying sellers out: the daily run, payout accounts and holds. */

/**
 * Cron: pays out each seller's available balance at or above the minimum. The payout's ledger
 * entries post with it (the seller's account down, clearing down: the money leaves the platform);
 * the transfer is sent by `send` (the payment adapter). A failed transfer reverses its entries,
 * so the money is available again and the next run retries.
 */
export async function runPayouts(
  env: Pick<Env, "DB">,
  send: (p: {
    payoutId: string;
    sellerId: string;
    amount: number;
    destination: string | null;
  }) => Promise<{ ok: boolean; ref?: string }>,
  now = new Date().toISOString(),
  only?: string,
) {
  const due = await env.DB.prepare(
    `SELECT seller_id, SUM(amount) AS available FROM ledger_entries
     WHERE account LIKE 'seller:%' AND (kind = 'payout' OR (available_at IS NOT NULL AND available_at <= ?1))
       AND (?3 IS NULL OR seller_id = ?3)
     GROUP BY seller_id HAVING SUM(amount) >= ?2 LIMIT 50`,
  )
    .bind(now, MIN_PAYOUT, only ?? null)
    .all<{ seller_id: string; available: number }>();
  let paid = 0;
  const settings = new Map((await getDb(env).select().from(sellerPayoutSettings).all()).map((r) => [r.sellerId, r]));
  for (const s of due.results) {
    // An admin's hold keeps the money available and unpaid; the schedule says when the cron pays
    // (weekly: Mondays; manual: only when the seller asks, `only`).
    const mine = settings.get(s.seller_id);
    if (mine?.onHold) continue;
    const schedule = mine?.payoutSchedule ?? "daily";
    if (!only && (schedule === "manual" || (schedule === "weekly" && new Date(now).getUTCDay() !== 1))) continue;
    const payoutId = newId("payout");
    await getDb(env)
      .insert(payouts)
      .values({ id: payoutId, sellerId: s.seller_id, amount: s.available, status: "pending" });
    const base = { kind: "payout" as const, payoutId, sellerId: s.seller_id, currency: "usd" };
    await post(env, [
      {
        id: newId("ledgerEntry"),
        account: sellerAccount(s.seller_id),
        amount: -s.available,
        ref: `payout:${payoutId}:seller`,
        ...base,
      },
      { id: newId("ledgerEntry"), account: CLEARING, amount: s.available, ref: `payout:${payoutId}:clearing`, ...base },
    ]);
    const destination = settings.get(s.seller_id)?.payoutAccount ?? null;
    const result = await send({ payoutId, sellerId: s.seller_id, amount: s.available, destination }).catch(() => ({
      ok: false as const,
      ref: undefined,
    }));
    if (result.ok) {
      await getDb(env)
        .update(payouts)
        .set({ status: "paid", transferRef: result.ref ?? null, updatedAt: now })
        .where(eq(payouts.id, payoutId));
      paid++;
    } else {
      await post(env, [
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(s.seller_id),
          amount: s.available,
          ref: `payout:${payoutId}:seller:reversed`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          amount: -s.available,
          ref: `payout:${payoutId}:clearing:reversed`,
          ...base,
        },
      ]);
      await getDb(env).update(payouts).set({ status: "failed", updatedAt: now }).where(eq(payouts.id, payoutId));
    }
  }
  return paid;
}

/** A seller's connected payout account (Stripe Connect: acct_…). */
export async function setPayoutAccount(env: Pick<Env, "DB">, sellerId: string, account: string) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, payoutAccount: account })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { payoutAccount: account, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

/** An admin's payout hold on a seller (fraud review, a dispute): the balance stays available, unpaid. */
export async function setPayoutHold(env: Pick<Env, "DB">, sellerId: string, onHold: boolean) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, onHold })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { onHold, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

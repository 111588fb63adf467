import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { sellerPayoutSettings } from "../../db/schema/ledger";
import { HOLDING_PERIOD_DAYS } from "./accounts";

/** A seller's own settings: payout schedule, return window, refund on approval, holding days. */

/** A seller's settings, with the platform's defaults where they set nothing. */
export async function sellerSettings(env: Pick<Env, "DB">, sellerId: string) {
  const row = await getDb(env)
    .select()
    .from(sellerPayoutSettings)
    .where(eq(sellerPayoutSettings.sellerId, sellerId))
    .get();
  return {
    holdDays: row?.holdDays ?? HOLDING_PERIOD_DAYS,
    payoutSchedule: row?.payoutSchedule ?? ("daily" as const),
    returnWindowDays: row?.returnWindowDays ?? 30,
    refundOnApprovalBelow: row?.refundOnApprovalBelow ?? null,
    payoutAccount: row?.payoutAccount ?? null,
    onHold: row?.onHold ?? false,
  };
}

/** What a seller sets for themselves: payout schedule, return window, refund on approval below an amount. */
export async function updateSellerSettings(
  env: Pick<Env, "DB">,
  sellerId: string,
  input: {
    payout_schedule?: "daily" | "weekly" | "manual";
    return_window_days?: number;
    refund_on_approval_below?: number | null;
  },
) {
  const set = {
    ...(input.payout_schedule !== undefined ? { payoutSchedule: input.payout_schedule } : {}),
    ...(input.return_window_days !== undefined ? { returnWindowDays: input.return_window_days } : {}),
    ...(input.refund_on_approval_below !== undefined ? { refundOnApprovalBelow: input.refund_on_approval_below } : {}),
  };
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, ...set })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { ...set, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

/** The holding period is the platform's to set per seller (an admin). */
export async function setHoldDays(env: Pick<Env, "DB">, sellerId: string, holdDays: number) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, holdDays })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { holdDays, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

export async function payoutSettings(env: Pick<Env, "DB">, sellerId: string) {
  const s = await sellerSettings(env, sellerId);
  return {
    seller_id: sellerId,
    payout_account: s.payoutAccount,
    on_hold: s.onHold,
    hold_days: s.holdDays,
    payout_schedule: s.payoutSchedule,
    return_window_days: s.returnWindowDays,
    refund_on_approval_below: s.refundOnApprovalBelow,
  };
}

import { getDb, rowsPerInsert } from "../../db/client";
import { ledgerEntries } from "../../db/schema/ledger";

/** The ledger's accounts and the one way to post to them (every posting sums to zero). */

/**
 * The marketplace's money: a double-entry ledger (every posting sums to zero), fed by order
 * events, so a replayed event posts nothing twice (each entry's `ref` is unique).
 *
 * - order.paid (a payment captured at once) or payment.captured (one seller's share of an
 *   authorised payment, at their shipment): per line, the buyer's money enters the platform's
 *   clearing account (−gross), the seller is credited the line less the platform's commission,
 *   and the commission is the platform's. The seller's credit is pending. Money authorised and
 *   let go uncaptured is never posted.
 * - order.delivered: the seller's credits (and refunds) of that order become available after the
 *   holding period. A refund before delivery stays beside its sale, so the two net out in pending.
 * - order.refunded: the refund is taken back from the lines it was for (their seller and the
 *   commission, in proportion), and leaves clearing.
 * - payment.disputed: a chargeback takes the disputed amount from the order's sellers (in
 *   proportion to what they were credited) into the disputes account at once, so it cannot be
 *   paid out; a won dispute gives it back, a lost one lets it leave through clearing.
 * - payouts (daily cron): a seller's available balance above the minimum is paid out.
 *
 * Commission: a percentage per category, inherited down the tree (the deepest rule on the
 * product's path), plus an optional fixed fee per line, clamped to a minimum and maximum per line.
 * Without a rule: 10%.
 */
export const DEFAULT_COMMISSION_BP = 1_000;

export const HOLDING_PERIOD_DAYS = 7;

export const MIN_PAYOUT = 1_000;

export const CLEARING = "platform:clearing";

export const COMMISSION = "platform:commission";

/** Sales tax collected, owed to the jurisdictions. */
export const TAX = "platform:tax";

/** Money held against open chargebacks. */
export const DISPUTES = "platform:disputes";

export const sellerAccount = (id: string) => `seller:${id}`;

export type Entry = typeof ledgerEntries.$inferInsert;

export async function post(env: Pick<Env, "DB">, entries: Entry[]): Promise<void> {
  if (entries.length === 0) return;
  // Invariant: a posting sums to zero.
  if (entries.reduce((n, e) => n + e.amount, 0) !== 0) throw new Error("ledger posting does not balance");
  const db = getDb(env);
  const statements = [];
  const per = rowsPerInsert(ledgerEntries);
  for (let i = 0; i < entries.length; i += per)
    statements.push(
      db
        .insert(ledgerEntries)
        .values(entries.slice(i, i + per))
        .onConflictDoNothing(),
    );
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
}

/** Σ of every entry: zero at all times (the tests check it after each scenario). */
export async function ledgerSum(env: Pick<Env, "DB">): Promise<number> {
  return (await env.DB.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM ledger_entries").first<{ s: number }>())!.s;
}

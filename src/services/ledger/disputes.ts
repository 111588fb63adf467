import { and, eq, like } from "drizzle-orm";
import { getDb } from "../../db/client";
import { ledgerEntries } from "../../db/schema/ledger";
import { newId } from "../../lib/ids";
import type { EventData } from "../events";
import type { OrderRow } from "../orders";
import { CLEARING, DISPUTES, type Entry, post, sellerAccount } from "./accounts";
import { settlement } from "./sales";

/**
 * A chargeback's postings. Opened: the disputed amount is taken from the order's sellers, in
 * proportion to what each was credited for it (net of refunds), into the disputes account, and
 * available at once so a payout cannot pay it out meanwhile. Won: each seller gets back exactly
 * what was taken. Lost: the money leaves through clearing (the card network took it back).
 */
export async function postDispute(
  env: Pick<Env, "DB">,
  order: OrderRow,
  d: EventData<"payment.disputed">,
): Promise<void> {
  const fx = settlement(order);
  const base = { ...fx.base, orderId: order.id, orderItemId: null };
  const now = new Date().toISOString();
  const db = getDb(env);
  if (d.phase === "opened") {
    const credited = await db
      .select({ sellerId: ledgerEntries.sellerId, account: ledgerEntries.account, amount: ledgerEntries.amount })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.orderId, order.id), like(ledgerEntries.account, "seller:%")))
      .all();
    const net = new Map<string, number>();
    for (const e of credited) if (e.sellerId) net.set(e.sellerId, (net.get(e.sellerId) ?? 0) + e.amount);
    const sellers = [...net].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1));
    // Nothing credited yet (the capture's posting is still in the queue): retry later, in order.
    if (sellers.length === 0) throw new Error(`dispute ${d.dispute_id}: no seller credit posted for ${order.id} yet`);
    const total = sellers.reduce((n, [, v]) => n + v, 0);
    const amount = fx.usd(d.amount);
    let left = amount;
    const entries: Entry[] = [];
    sellers.forEach(([sellerId, credit], n) => {
      const share = n === sellers.length - 1 ? left : Math.floor((amount * credit) / total);
      left -= share;
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(sellerId),
          sellerId,
          kind: "dispute",
          amount: -share,
          ref: `dispute:${d.dispute_id}:${sellerId}`,
          availableAt: now,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: DISPUTES,
          sellerId,
          kind: "dispute",
          amount: share,
          ref: `dispute:${d.dispute_id}:${sellerId}:held`,
          ...base,
        },
      );
    });
    await post(env, entries);
    return;
  }
  const held = await db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, DISPUTES), like(ledgerEntries.ref, `dispute:${d.dispute_id}:%:held`)))
    .all();
  const opened = held.filter((h) => h.amount > 0);
  if (opened.length === 0) throw new Error(`dispute ${d.dispute_id}: its opening is not posted yet`);
  const entries: Entry[] = [];
  for (const h of opened) {
    const sellerId = h.sellerId!;
    if (d.phase === "won") {
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: DISPUTES,
          sellerId,
          kind: "dispute",
          amount: -h.amount,
          ref: `dispute:${d.dispute_id}:${sellerId}:won:held`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(sellerId),
          sellerId,
          kind: "dispute",
          amount: h.amount,
          ref: `dispute:${d.dispute_id}:${sellerId}:won`,
          availableAt: now,
          ...base,
        },
      );
    } else {
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: DISPUTES,
          sellerId,
          kind: "dispute",
          amount: -h.amount,
          ref: `dispute:${d.dispute_id}:${sellerId}:lost:held`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "dispute",
          amount: h.amount,
          ref: `dispute:${d.dispute_id}:${sellerId}:lost`,
          ...base,
        },
      );
    }
  }
  await post(env, entries);
}

import { toUsd } from "../../lib/currency";
import { newId } from "../../lib/ids";
import type { OrderItemRow, OrderRow } from "../orders";
import { CLEARING, COMMISSION, DEFAULT_COMMISSION_BP, TAX, type Entry, sellerAccount } from "./accounts";
import { commissionOf, rulesFor } from "./commission";

/** A sale's postings (postings.ts posts them at order.paid or at each capture). */

export const gross = (i: OrderItemRow) => i.price * i.quantity - i.discount;

/**
 * The ledger is kept in the sellers' settlement currency (usd): an order charged in another
 * currency is posted at the rate it was priced at, and the rate is recorded on each entry.
 */
export function settlement(order: Pick<OrderRow, "currency" | "fxRateMicro">) {
  const foreign = order.currency !== "usd";
  return {
    usd: (amount: number) => toUsd(amount, order.currency, order.fxRateMicro ?? 1_000_000),
    base: { currency: "usd", fxRateMicro: foreign ? (order.fxRateMicro ?? null) : null },
  };
}

/**
 * What a sale posts: each line's gross into the seller's account net of commission, each seller's
 * shipping, and tax added on top into the tax account, all out of clearing. The whole order at
 * order.paid, or one seller's captured lines at payment.captured (refs are per line, so a line is
 * never posted twice).
 */
export async function saleEntries(
  env: Pick<Env, "DB">,
  order: OrderRow,
  lines: OrderItemRow[],
  shipping: { seller_id: string; paid: number }[],
  taxAdded: number,
  taxRef: string,
): Promise<Entry[]> {
  const fx = settlement(order);
  const rules = await rulesFor(
    env,
    lines.map((i) => i.productId),
  );
  const entries: Entry[] = [];
  for (const i of lines) {
    const g = fx.usd(gross(i));
    const c = commissionOf(
      g,
      rules.get(i.productId) ?? { percentBp: DEFAULT_COMMISSION_BP, fixed: 0, min: null, max: null },
    );
    const base = { ...fx.base, orderId: order.id, orderItemId: i.id };
    entries.push(
      {
        id: newId("ledgerEntry"),
        account: CLEARING,
        sellerId: null,
        kind: "capture",
        amount: -g,
        ref: `capture:${i.id}`,
        ...base,
      },
      {
        id: newId("ledgerEntry"),
        account: sellerAccount(i.sellerId),
        sellerId: i.sellerId,
        kind: "sale",
        amount: g - c,
        ref: `sale:${i.id}`,
        ...base,
      },
      {
        id: newId("ledgerEntry"),
        account: COMMISSION,
        sellerId: i.sellerId,
        kind: "commission",
        amount: c,
        ref: `commission:${i.id}`,
        ...base,
      },
    );
  }
  // Each seller's shipping (what the buyer paid for it, net of a free-shipping coupon's share) is the seller's;
  // tax added on top is the platform's to remit (a marketplace facilitator).
  const base = { ...fx.base, orderId: order.id, orderItemId: null };
  for (const s of shipping) {
    if (s.paid <= 0) continue;
    entries.push(
      {
        id: newId("ledgerEntry"),
        account: CLEARING,
        sellerId: null,
        kind: "capture",
        amount: -s.paid,
        ref: `capture:shipping:${order.id}:${s.seller_id}`,
        ...base,
      },
      {
        id: newId("ledgerEntry"),
        account: sellerAccount(s.seller_id),
        sellerId: s.seller_id,
        kind: "shipping",
        amount: s.paid,
        ref: `shipping:${order.id}:${s.seller_id}`,
        ...base,
      },
    );
  }
  if (taxAdded > 0) {
    const tax = fx.usd(taxAdded);
    entries.push(
      {
        id: newId("ledgerEntry"),
        account: CLEARING,
        sellerId: null,
        kind: "capture",
        amount: -tax,
        ref: `capture:${taxRef}`,
        ...base,
      },
      { id: newId("ledgerEntry"), account: TAX, sellerId: null, kind: "tax", amount: tax, ref: taxRef, ...base },
    );
  }
  return entries;
}

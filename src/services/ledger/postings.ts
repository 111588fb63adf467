import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { ledgerEntries } from "../../db/schema/ledger";
import { newId } from "../../lib/ids";
import type { DomainEvent, EventData } from "../events";
import { findOrder, shippingPaidBySeller, type OrderItemRow, type OrderRow } from "../orders";
import { CLEARING, COMMISSION, TAX, sellerAccount, type Entry, post } from "./accounts";
import { sellerSettings } from "./settings";
import { gross, saleEntries, settlement } from "./sales";
import { postDispute } from "./disputes";

/** Order events as ledger postings: sales, shipping, tax, refunds (the events consumer's "ledger" subscriber). */

/** What the buyer paid for each seller's shipping (orders.ts), in usd. */
function shippingPaid(
  order: OrderRow,
  items: OrderItemRow[],
  usd: (amount: number) => number,
): { seller_id: string; paid: number }[] {
  return shippingPaidBySeller(order, items).map((l) => ({ seller_id: l.seller_id, paid: usd(l.paid) }));
}

/** The events consumer's "ledger" subscriber. */
export async function postOrderEvent(env: Pick<Env, "DB">, event: DomainEvent): Promise<void> {
  const data = event.data as {
    order_id: string;
    refund_amount?: number;
    refund_lines?: string[];
    refund_tax?: { added: number; included: number };
    refund_shipping?: { seller_id: string; amount: number }[];
    released_amount?: number;
  };
  const found = await findOrder(env, data.order_id);
  if (!found) return;
  const { order, items } = found;
  const fx = settlement(order);
  if (event.type === "order.paid") {
    // An authorised (manual) payment posts each seller's share when it is captured.
    if ((data as { capture?: string }).capture === "manual") return;
    await post(
      env,
      await saleEntries(env, order, items, shippingPaid(order, items, fx.usd), order.taxTotal, `tax:${order.id}`),
    );
    return;
  }
  if (event.type === "payment.disputed") {
    await postDispute(env, order, event.data as EventData<"payment.disputed">);
    return;
  }
  if (event.type === "payment.captured") {
    const c = event.data as EventData<"payment.captured">;
    const lines = items.filter((i) => c.item_ids.includes(i.id));
    const shipping = c.shipping > 0 ? [{ seller_id: c.seller_id, paid: fx.usd(c.shipping) }] : [];
    await post(env, await saleEntries(env, order, lines, shipping, c.tax, `tax:${order.id}:${c.item_ids[0]}`));
    return;
  }
  if (event.type === "order.delivered") {
    const delivered = Date.parse(order.deliveredAt ?? new Date().toISOString());
    for (const sellerId of new Set(items.map((i) => i.sellerId))) {
      const { holdDays } = await sellerSettings(env, sellerId);
      await getDb(env)
        .update(ledgerEntries)
        .set({ availableAt: new Date(delivered + holdDays * 86_400_000).toISOString() })
        .where(
          and(
            eq(ledgerEntries.orderId, order.id),
            eq(ledgerEntries.account, sellerAccount(sellerId)),
            sql`${ledgerEntries.kind} IN ('sale', 'refund', 'shipping')`,
            isNull(ledgerEntries.availableAt),
          ),
        );
    }
    return;
  }
  if (event.type === "order.refunded" && data.refund_amount) {
    // Money let go of an uncaptured authorisation was never posted to anyone: only the rest is taken back,
    // from the lines and shipping that were posted (captured).
    const released = data.released_amount ?? 0;
    if (data.refund_amount - released <= 0) return;
    const sales = await getDb(env)
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.orderId, order.id), sql`${ledgerEntries.kind} IN ('sale', 'commission', 'shipping')`))
      .all();
    const posted = (i: OrderItemRow) => sales.some((e) => e.orderItemId === i.id && e.kind === "sale");
    const lines = (data.refund_lines ? items.filter((i) => data.refund_lines!.includes(i.id)) : items).filter(
      (i) => !released || posted(i),
    );
    const g = (i: OrderItemRow) => fx.usd(gross(i));
    const total = lines.reduce((n, i) => n + g(i), 0);
    if (total === 0) return;
    const entries: Entry[] = [];
    let refund = fx.usd(data.refund_amount - released);
    const kept = (n: number) =>
      released ? Math.floor((n * (data.refund_amount! - released)) / data.refund_amount!) : n;
    const base = { ...fx.base, orderId: order.id, orderItemId: null };
    // A refund returns the tax inside it to the buyer: the tax account gives back what it was to remit.
    // Events since refund-tax.ts say how much; older ones (whole-order refunds only) in proportion.
    const tax = fx.usd(order.taxTotal ?? 0);
    const shipping = shippingPaid(order, items, fx.usd);
    const shippingTotal = data.refund_lines ? 0 : shipping.reduce((n, l) => n + l.paid, 0);
    const whole = total + shippingTotal + tax;
    const taxPart = data.refund_tax
      ? fx.usd(kept(data.refund_tax.added))
      : data.refund_lines || !whole
        ? 0
        : Math.floor((refund * tax) / whole);
    if (taxPart > 0) {
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: taxPart,
          ref: `refund:${event.id}:tax:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: TAX,
          sellerId: null,
          kind: "tax",
          amount: -taxPart,
          ref: `refund:${event.id}:tax`,
          ...base,
        },
      );
    }
    // The sellers give back shipping the refund returned: a whole-order refund returns it in proportion, as
    // the buyer paid it; a cancel of a seller's last unshipped lines says so (`refund_shipping`).
    const shipBack: { seller_id: string; part: number }[] = [];
    if (!data.refund_lines) {
      const shippingPart = whole ? Math.floor((refund * shippingTotal) / whole) : 0;
      let shipLeft = shippingPart;
      shipping
        .filter((l) => l.paid > 0)
        .forEach((l, n, list) => {
          const part = n === list.length - 1 ? shipLeft : Math.floor((shippingPart * l.paid) / shippingTotal);
          shipLeft -= part;
          shipBack.push({ seller_id: l.seller_id, part });
        });
    } else {
      for (const s of data.refund_shipping ?? []) shipBack.push({ seller_id: s.seller_id, part: fx.usd(s.amount) });
    }
    for (const { seller_id, part } of shipBack) {
      if (part <= 0) continue;
      // (Shipping of a seller whose share was never captured was never posted.)
      if (released && !sales.some((e) => e.kind === "shipping" && e.sellerId === seller_id && e.amount > 0)) continue;
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: part,
          ref: `refund:${event.id}:shipping:${seller_id}:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(seller_id),
          sellerId: seller_id,
          kind: "shipping",
          amount: -part,
          ref: `refund:${event.id}:shipping:${seller_id}`,
          // Released with the shipping it takes back (pending until delivery, or already available).
          availableAt:
            sales.find((e) => e.kind === "shipping" && e.sellerId === seller_id && e.amount > 0)?.availableAt ?? null,
          ...base,
        },
      );
      refund -= part;
    }
    refund -= taxPart;
    let left = refund;
    lines.forEach((i, n) => {
      // The refund is spread over its lines by their amounts (the last takes the rounding).
      const share = n === lines.length - 1 ? left : Math.round((refund * g(i)) / total);
      left -= share;
      const sale = sales.find((e) => e.orderItemId === i.id && e.kind === "sale");
      const commission = sales.find((e) => e.orderItemId === i.id && e.kind === "commission")?.amount ?? 0;
      const fromCommission = g(i) ? Math.round((share * commission) / g(i)) : 0;
      const base = { ...fx.base, orderId: order.id, orderItemId: i.id };
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: share,
          ref: `refund:${event.id}:${i.id}:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(i.sellerId),
          sellerId: i.sellerId,
          kind: "refund",
          amount: -(share - fromCommission),
          ref: `refund:${event.id}:${i.id}:seller`,
          availableAt: sale?.availableAt ?? null,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: COMMISSION,
          sellerId: i.sellerId,
          kind: "commission",
          amount: -fromCommission,
          ref: `refund:${event.id}:${i.id}:commission`,
          ...base,
        },
      );
    });
    await post(env, entries);
  }
}

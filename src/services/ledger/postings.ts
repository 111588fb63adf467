import { toUsd } from "../../lib/currency";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { ledgerEntries } from "../../db/schema/ledger";
import { newId } from "../../lib/ids";
import type { DomainEvent } from "../events";
import { findOrder, shippingPaidBySeller, type OrderItemRow, type OrderRow } from "../orders";
import { DEFAULT_COMMISSION_BP, CLEARING, COMMISSION, TAX, sellerAccount, type Entry, post } from "./accounts";
import { commissionOf, rulesFor } from "./commission";
import { sellerSettings } from "./settings";

/** Order events as ledger postings: sales, shipping, tax, refunds (the events consumer's "ledger" subscriber). */

const gross = (i: OrderItemRow) => i.price * i.quantity - i.discount;

/**
 * The ledger is kept in the sellers' settlement currency (usd): an order charged in another
 * currency is posted at the rate it was priced at, and the rate is recorded on each entry.
 */
function settlement(order: Pick<OrderRow, "currency" | "fxRateMicro">) {
  const foreign = order.currency !== "usd";
  return {
    usd: (amount: number) => toUsd(amount, order.currency, order.fxRateMicro ?? 1_000_000),
    base: { currency: "usd", fxRateMicro: foreign ? (order.fxRateMicro ?? null) : null },
  };
}

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
  };
  const found = await findOrder(env, data.order_id);
  if (!found) return;
  const { order, items } = found;
  const fx = settlement(order);
  if (event.type === "order.paid") {
    const rules = await rulesFor(
      env,
      items.map((i) => i.productId),
    );
    const entries: Entry[] = [];
    for (const i of items) {
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
    for (const s of shippingPaid(order, items, fx.usd)) {
      const paid = s.paid;
      if (paid <= 0) continue;
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "capture",
          amount: -paid,
          ref: `capture:shipping:${order.id}:${s.seller_id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(s.seller_id),
          sellerId: s.seller_id,
          kind: "shipping",
          amount: paid,
          ref: `shipping:${order.id}:${s.seller_id}`,
          ...base,
        },
      );
    }
    if (order.taxTotal > 0) {
      const tax = fx.usd(order.taxTotal);
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "capture",
          amount: -tax,
          ref: `capture:tax:${order.id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: TAX,
          sellerId: null,
          kind: "tax",
          amount: tax,
          ref: `tax:${order.id}`,
          ...base,
        },
      );
    }
    await post(env, entries);
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
    const lines = data.refund_lines ? items.filter((i) => data.refund_lines!.includes(i.id)) : items;
    const sales = await getDb(env)
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.orderId, order.id), sql`${ledgerEntries.kind} IN ('sale', 'commission', 'shipping')`))
      .all();
    const g = (i: OrderItemRow) => fx.usd(gross(i));
    const total = lines.reduce((n, i) => n + g(i), 0);
    if (total === 0) return;
    const entries: Entry[] = [];
    let refund = fx.usd(data.refund_amount);
    const base = { ...fx.base, orderId: order.id, orderItemId: null };
    // A refund returns the tax inside it to the buyer: the tax account gives back what it was to remit.
    // Events since refund-tax.ts say how much; older ones (whole-order refunds only) in proportion.
    const tax = fx.usd(order.taxTotal ?? 0);
    const shipping = shippingPaid(order, items, fx.usd);
    const shippingTotal = data.refund_lines ? 0 : shipping.reduce((n, l) => n + l.paid, 0);
    const whole = total + shippingTotal + tax;
    const taxPart = data.refund_tax
      ? fx.usd(data.refund_tax.added)
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

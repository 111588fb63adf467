import { shippingPaidBySeller, type OrderItemRow, type OrderRow } from "../orders";

/** floor(a * b / c) in exact integers: amounts up to 1e10 times taxes up to 1e10 overflow a double's 2^53. */
function mulDiv(a: number, b: number, c: number): number {
  return c <= 0 ? 0 : Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** What a line cost the buyer: its goods after discount, plus its tax where tax was added on top. */
export function linePaid(
  order: Pick<OrderRow, "taxTotal">,
  item: Pick<OrderItemRow, "price" | "quantity" | "discount" | "tax">,
): number {
  return item.price * item.quantity - item.discount + (order.taxTotal > 0 ? item.tax : 0);
}

export interface RefundTax {
  /** Sales tax added on top that the refund gives back (the platform no longer owes it). */
  added: number;
  /** VAT or GST contained in the refunded prices (for the jurisdiction's report). */
  included: number;
}

/**
 * The tax inside a refund, in proportion to what it refunds. For named lines it is their own
 * tax over what those lines cost (a refund of exactly their cost returns exactly their tax);
 * for the whole order it is the order's tax over its total. Rounded down, so the sum over
 * several refunds never returns more tax than was charged.
 */
export function refundTax(
  order: Pick<OrderRow, "taxTotal" | "taxIncluded" | "totalAmount">,
  amount: number,
  lines?: Pick<OrderItemRow, "price" | "quantity" | "discount" | "tax">[],
): RefundTax {
  if (order.taxTotal <= 0 && order.taxIncluded <= 0) return { added: 0, included: 0 };
  if (lines?.length) {
    const cost = lines.reduce((n, i) => n + linePaid(order, i), 0);
    const tax = lines.reduce((n, i) => n + i.tax, 0);
    const part = Math.min(tax, mulDiv(amount, tax, cost));
    return order.taxTotal > 0 ? { added: part, included: 0 } : { added: 0, included: part };
  }
  return {
    added: Math.min(order.taxTotal, mulDiv(amount, order.taxTotal, order.totalAmount)),
    included: Math.min(order.taxIncluded, mulDiv(amount, order.taxIncluded, order.totalAmount)),
  };
}

/**
 * The shipping a cancel of `lines` gives back: each seller whose every line is now cancelled or
 * refunded (these lines included) and who was paid for shipping. A seller with a line still to
 * ship, or already shipped, keeps their shipping.
 */
export function shippingBack(
  order: Pick<OrderRow, "discount" | "shippingLines">,
  items: Pick<OrderItemRow, "id" | "sellerId" | "status" | "discount">[],
  lines: Pick<OrderItemRow, "id">[],
): { seller_id: string; amount: number }[] {
  const going = new Set(lines.map((l) => l.id));
  const done = (i: Pick<OrderItemRow, "id" | "status">) =>
    going.has(i.id) || i.status === "cancelled" || i.status === "refunded";
  return shippingPaidBySeller(order, items)
    .filter(
      (s) =>
        s.paid > 0 &&
        items.some((i) => i.sellerId === s.seller_id && going.has(i.id)) &&
        items.filter((i) => i.sellerId === s.seller_id).every(done),
    )
    .map((s) => ({ seller_id: s.seller_id, amount: s.paid }));
}

import { newId } from "../../lib/ids";
import type { price } from "../cart";
import type { OrderItemRow, OrderRow } from "../orders";
import * as promotions from "../promotions";
import { selectedOption } from "../shipping";

/**
 * A checkout's order and items as they are first written: pending payment, at the prices, discounts,
 * shipping and tax the cart was priced at. The payment lock keeps a second payment off the order
 * while this checkout's charge is in flight.
 */
export function pendingOrderRows(
  orderId: string,
  userId: string,
  priced: Awaited<ReturnType<typeof price>>,
  shippingAddress: OrderRow["shippingAddress"],
): { order: OrderRow; items: OrderItemRow[] } {
  const now = new Date().toISOString();
  const order: OrderRow = {
    id: orderId,
    userId,
    status: "pending_payment",
    subtotal: priced.view.subtotal,
    discount: priced.view.discount,
    shipping: priced.view.shipping_total,
    taxTotal: priced.view.tax_total,
    taxIncluded: priced.view.tax_included,
    taxJurisdiction: priced.tax?.jurisdiction ?? null,
    shippingLines: priced.view.shipping_options.map((s) => {
      const o = selectedOption(s);
      return { seller_id: s.seller_id, option_id: o.option_id, name: o.name, amount: o.amount };
    }),
    totalAmount: priced.view.total,
    fxRateMicro: priced.fxRateMicro,
    walletAmount: 0,
    currency: priced.view.currency,
    couponCodes: priced.evaluation.applied.map((a) => a.code),
    shippingAddress,
    trackingNumber: null,
    refundedAmount: 0,
    paymentLockUntil: Date.now() + 120_000,
    payBy: null,
    paidAt: null,
    shippedAt: null,
    deliveredAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const items: OrderItemRow[] = priced.lines.map((l) => ({
    id: newId("orderItem"),
    orderId,
    productId: l.product_id,
    variantId: l.variant_id ?? null,
    options: priced.products.get(l.product_id)!.variants.find((v) => v.id === l.variant_id)?.options ?? {},
    sellerId: l.seller_id,
    name: priced.products.get(l.product_id)!.name,
    quantity: l.quantity,
    price: l.price,
    discount: priced.evaluation.lineDiscounts[promotions.lineKey(l)] ?? 0,
    tax: priced.lineTax[promotions.lineKey(l)] ?? 0,
    status: "pending",
    trackingNumber: null,
    createdAt: now,
  }));
  return { order, items };
}

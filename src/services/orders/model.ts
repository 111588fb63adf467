import { defaultVariantId } from "../../lib/variant-ids";
import type { z } from "@hono/zod-openapi";
import type { orderItems, orders } from "../../db/schema/orders";
import { ApiError } from "../../lib/errors";
import type { AuthContext } from "../../types";
import { buildEvent, type OrderEventData, type DomainEvent } from "../events";

/** An order's rows, its domain events, and who may see it: the pieces every other orders file uses. */

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;

/** The stock an order line took: its variant (lines from before variants: the product's default one). */
export const stockRefOf = (i: Pick<OrderItemRow, "productId" | "variantId">) => ({
  product_id: i.productId,
  variant_id: i.variantId,
});
export type OrderStatus = OrderRow["status"];

export type OrderEventPayload = z.infer<typeof OrderEventData>;

export function orderEvent(
  type: "order.created" | "order.paid" | "order.shipped" | "order.delivered" | "order.cancelled" | "order.refunded",
  order: OrderRow,
  items: OrderItemRow[],
  extra: Partial<OrderEventPayload> = {},
): DomainEvent {
  return buildEvent(type, {
    order_id: order.id,
    user_id: order.userId,
    status: order.status,
    total_amount: order.totalAmount,
    currency: order.currency,
    ...(order.currency !== "usd" ? { fx_rate_micro: order.fxRateMicro } : {}),
    ...(order.taxTotal > 0 || order.taxIncluded > 0
      ? { tax: { jurisdiction: order.taxJurisdiction ?? null, added: order.taxTotal, included: order.taxIncluded } }
      : {}),
    tracking_number: order.trackingNumber,
    seller_ids: [...new Set(items.map((i) => i.sellerId))],
    items: items.map((i) => ({
      product_id: i.productId,
      variant_id: i.variantId ?? defaultVariantId(i.productId),
      seller_id: i.sellerId,
      quantity: i.quantity,
      price: i.price,
    })),
    ...extra,
  });
}

/**
 * What the buyer paid for each seller's shipping, in the order's currency: its option's price less
 * the share of a free-shipping coupon (the part of the order's discount that is on no line), taken
 * in line order.
 */
export function shippingPaidBySeller(
  order: Pick<OrderRow, "discount" | "shippingLines">,
  items: Pick<OrderItemRow, "discount">[],
): { seller_id: string; paid: number }[] {
  let coupon = Math.max(0, order.discount - items.reduce((n, i) => n + i.discount, 0));
  return (order.shippingLines ?? []).map((l) => {
    const off = Math.min(coupon, l.amount);
    coupon -= off;
    return { seller_id: l.seller_id, paid: l.amount - off };
  });
}

export type Viewer = "buyer" | "seller" | "admin";

/** Who is looking: the buyer, a seller of some of its items, an admin; anyone else gets 404 (existence does not leak). */
export function viewerOf(auth: AuthContext, order: OrderRow, items: OrderItemRow[]): Viewer {
  if (auth.role === "admin") return "admin";
  if (order.userId === auth.userId) return "buyer";
  if (items.some((i) => i.sellerId === auth.userId)) return "seller";
  throw new ApiError("not_found", "Order not found");
}

import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { log, errorFields } from "../../lib/logger";
import type { CartAddress } from "../../durable/cart";
import { dispatchEvents } from "../events";
import { releaseAll, reserveAll } from "../inventory";
import { findOrder, newOrderWrites, type OrderItemRow, type OrderRow } from "../orders";
import { quote, selectedOption } from "../shipping";
import { taxProvider } from "../tax";
import { taxClassesOf } from "../catalog/categories";
import { findProduct } from "../catalog/product-reads";
import { WINNER_PAY_WINDOW_MS } from "./rules";

/** What an auction's order is made of: the one unit, its buyer and the price the auction reached. */
export interface AuctionSale {
  orderId: string;
  productId: string;
  variantId: string;
  sellerId: string;
  name: string;
  currency: string;
  buyerId: string;
  price: number;
  address: CartAddress | null;
}

/**
 * The order of an auction's winner (or a buy-it-now buyer, or a second-chance offer's
 * runner-up): `pending_payment` at the auction's price, paid with POST /payments/pay within
 * 48 h (`pay_by`), with the unit held for it in the inventory object under the order's id.
 * Idempotent by order id: the auction object stores the id before calling, so a retried close
 * finds the order and makes no second one.
 */
export async function createAuctionOrder(env: Env, sale: AuctionSale, now = Date.now()): Promise<OrderRow> {
  const existing = await findOrder(env, sale.orderId);
  if (existing) return existing.order;
  const stock = { product_id: sale.productId, variant_id: sale.variantId };
  // The unit moves to the order: held for the whole payment window (the inventory object's TTL).
  await reserveAll(env, sale.orderId, [{ ...stock, quantity: 1 }], WINNER_PAY_WINDOW_MS + 3600_000, {
    awaitProjection: true,
  });
  try {
    const { shipping, shippingLines, tax } = await shippingAndTax(env, sale);
    const at = new Date(now).toISOString();
    const order: OrderRow = {
      id: sale.orderId,
      userId: sale.buyerId,
      status: "pending_payment",
      subtotal: sale.price,
      discount: 0,
      shipping,
      taxTotal: tax.added,
      taxIncluded: tax.included,
      taxJurisdiction: tax.jurisdiction,
      shippingLines,
      totalAmount: sale.price + shipping + tax.added,
      fxRateMicro: 1_000_000,
      walletAmount: 0,
      currency: sale.currency,
      couponCodes: [],
      shippingAddress: sale.address ? { ...sale.address } : "",
      trackingNumber: null,
      refundedAmount: 0,
      paymentLockUntil: null,
      payBy: now + WINNER_PAY_WINDOW_MS,
      paidAt: null,
      shippedAt: null,
      deliveredAt: null,
      createdAt: at,
      updatedAt: at,
    };
    const item: OrderItemRow = {
      id: newId("orderItem", now),
      orderId: sale.orderId,
      productId: sale.productId,
      variantId: sale.variantId,
      options: {},
      sellerId: sale.sellerId,
      name: sale.name,
      quantity: 1,
      price: sale.price,
      discount: 0,
      tax: tax.added + tax.included,
      status: "pending",
      trackingNumber: null,
      createdAt: at,
    };
    const writes = newOrderWrites(env, order, [item]);
    await writes.indexElsewhere();
    await writes.write();
    await dispatchEvents(writes.home, [writes.created]);
    return order;
  } catch (err) {
    // Without its order the hold would hide the unit until the TTL: give it back; the caller retries.
    await releaseAll(env, sale.orderId, [stock]);
    log("error", "auction order failed", { order_id: sale.orderId, product_id: sale.productId, ...errorFields(err) });
    throw err;
  }
}

/** A bid or buy-it-now with an address the seller does not ship to is refused up front. */
export async function assertShipsTo(
  env: Pick<Env, "DB">,
  productId: string,
  sellerId: string,
  address: CartAddress,
): Promise<void> {
  const q = await quote(env, address, [{ seller_id: sellerId, subtotal: 0, items: 1, grams: 0 }], {});
  if (q.unshippable.length) {
    throw new ApiError("not_shippable", "The seller does not ship to this address", {
      details: [{ field: productId, code: "not_shippable", message: `the seller does not ship to ${address.country}` }],
    });
  }
}

/** Shipping by the seller's profile and tax for the winner's address, when they gave one (none: both 0 until they do). */
async function shippingAndTax(env: Env, sale: AuctionSale) {
  const none = {
    shipping: 0,
    shippingLines: [] as OrderRow["shippingLines"],
    tax: { added: 0, included: 0, jurisdiction: null as string | null },
  };
  if (!sale.address) return none;
  const q = await quote(
    env,
    sale.address,
    [{ seller_id: sale.sellerId, subtotal: sale.price, items: 1, grams: 0 }],
    {},
  );
  // Checked when the bid was placed (assertShipsTo); a profile changed since leaves the parcel to the seller.
  if (q.unshippable.length) return none;
  const option = selectedOption(q.sellers[0]);
  const path = (await findProduct(env, sale.productId))?.categoryPath;
  const taxClass = path ? ((await taxClassesOf(env, [path])).get(path) ?? null) : null;
  const tax = await taxProvider(env).quote(env, sale.address, [{ key: sale.productId, amount: sale.price, taxClass }]);
  return {
    shipping: option.amount,
    shippingLines: [
      { seller_id: sale.sellerId, option_id: option.option_id, name: option.name, amount: option.amount },
    ],
    tax,
  };
}

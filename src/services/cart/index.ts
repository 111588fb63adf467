import type { CartAddress, CartLine } from "../../durable/cart";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { findProducts, readProduct, type PricingRow } from "../catalog/product-reads";
import { pickVariant } from "../catalog/variants";
import { notShippable } from "../shipping";
import { rateOf, regionCurrency } from "../fx";
import * as promotions from "../promotions";
import { ABANDONED_AFTER_MS, price, type CartView } from "./pricing";
export { ABANDONED_AFTER_MS, price, type CartView } from "./pricing";

/**
 * The cart module. Each cart is a CartObject (src/durable/cart.ts): a user's
 * cart is named by the user, a guest's by its `crt_` id. This module prices
 * carts on every read from the live catalog, so the shopper sees when a price
 * moved since it was added, and checkout charges the current price.
 */

export type CartRef = { userId: string; guestCartId?: undefined } | { userId?: undefined; guestCartId: string };

export function cartStub(env: Pick<Env, "CART">, ref: CartRef) {
  const name = ref.userId ? `user:${ref.userId}` : `guest:${ref.guestCartId}`;
  return env.CART.get(env.CART.idFromName(name));
}

/** The id a new cart gets; a user's cart id is derived once and stored in its object. */
export function newCartId(): string {
  return newId("cart");
}

/** A user's cart id is derived from the user id (same time-sortable body), so it is stable before the first write. */
export function userCartId(userId: string): string {
  return `crt_${userId.slice(userId.indexOf("_") + 1)}`;
}

function identity(ref: CartRef): { cartId: string; userId: string | null } {
  if (ref.guestCartId) return { cartId: ref.guestCartId, userId: null };
  return { cartId: userCartId(ref.userId!), userId: ref.userId! };
}

export async function getCart(env: Pick<Env, "CART" | "DB">, ref: CartRef): Promise<CartView> {
  const { cartId, userId } = identity(ref);
  const state = await cartStub(env, ref).state(cartId, userId);
  return (await price(env, state)).view;
}

function activeProduct<P extends PricingRow>(p: P | undefined): P {
  if (p?.status !== "active") throw new ApiError("not_found", "Product not found");
  return p;
}

/** Adds units of a product's variant. A new cart starts in the currency of the shopper's `country` (the request's) when the store sells in it. */
export async function addToCart(
  env: Pick<Env, "CART" | "DB">,
  ref: CartRef,
  productId: string,
  quantity: number,
  variantId?: string,
  country?: string,
): Promise<CartView> {
  // The display cache: the cap below is a courtesy (a cart holds no stock), and checkout re-reads every line.
  const product = activeProduct(await readProduct(env, productId));
  if (product.listing === "auction")
    throw new ApiError(
      "invalid_state",
      "This item is sold by auction: bid on it with POST /auctions/{product_id}/bids",
    );
  const variant = pickVariant(product.variants, variantId, product.price);
  if (variant.stockAvailable <= 0)
    throw new ApiError(
      "out_of_stock",
      product.variants.length > 1 ? "This variant is out of stock" : "This product is out of stock",
    );
  const { cartId, userId } = identity(ref);
  const r = await cartStub(env, ref).add(
    cartId,
    userId,
    {
      product_id: product.id,
      variant_id: variant.id,
      cart_item_id: newId("cartItem"),
      quantity,
      price: variant.price ?? product.price,
      // A cart holds no stock, but asking for more than exists is refused up front.
      maxQuantity: variant.stockAvailable,
    },
    await regionCurrency(env, country),
  );
  if (!r.ok) {
    if (r.code === "checkout_in_progress") throw new ApiError("invalid_state", "This cart is being checked out");
    if (r.code === "too_many_lines") throw new ApiError("invalid_state", "A cart holds at most 100 different products");
    throw new ApiError("out_of_stock", `At most ${r.available} of this product can be in the cart`, {
      details: [{ field: "quantity", code: "exceeds_stock", message: `at most ${r.available} in total` }],
    });
  }
  return (await price(env, r.state)).view;
}

/**
 * Removes units of a line. Without a variant id, the product's one line in the cart is meant;
 * with several lines of the product, the 400 lists them.
 */
export async function removeFromCart(
  env: Pick<Env, "CART" | "DB">,
  ref: CartRef,
  productId: string,
  quantity?: number,
  variantId?: string,
): Promise<CartView> {
  const { cartId, userId } = identity(ref);
  const stub = cartStub(env, ref);
  let variant = variantId;
  if (!variant) {
    const lines = (await stub.state(cartId, userId)).lines.filter((l) => l.product_id === productId);
    if (lines.length > 1) {
      throw new ApiError(
        "validation_failed",
        "The cart holds several variants of this product: say which with variant_id",
        {
          details: lines.map((l) => ({
            field: "variant_id",
            code: "required",
            message: `${l.variant_id}: ${l.quantity} in the cart`,
          })),
        },
      );
    }
    if (lines.length === 0) throw new ApiError("not_found", "This product is not in the cart");
    variant = lines[0].variant_id;
  }
  const r = await stub.remove(cartId, userId, productId, variant, quantity);
  if (!r.ok) throw new ApiError("invalid_state", "This cart is being checked out");
  if (!r.found) throw new ApiError("not_found", "This product is not in the cart");
  return (await price(env, r.state)).view;
}

/** Sets where the cart ships: 200 with the options and tax there; 409 not_shippable (nothing saved) when some seller does not ship there. */
export async function setShippingAddress(
  env: Pick<Env, "CART" | "DB">,
  ref: CartRef,
  address: CartAddress,
): Promise<CartView> {
  const { cartId, userId } = identity(ref);
  const stub = cartStub(env, ref);
  const current = await stub.state(cartId, userId);
  const trial = await price(env, { ...current, shipping_choices: {} }, { address });
  if (trial.unshippable.length) throw notShippable(trial.lines, trial.unshippable);
  return (await price(env, await stub.setAddress(cartId, userId, address))).view;
}

/** Shows and charges the cart in this currency (one of GET /fx-rates). */
export async function setCurrency(env: Pick<Env, "CART" | "DB">, ref: CartRef, currency: string): Promise<CartView> {
  const { currency: c } = await rateOf(env, currency);
  const { cartId, userId } = identity(ref);
  const state = await cartStub(env, ref).setCurrency(cartId, userId, c);
  if (state.currency !== c) throw new ApiError("invalid_state", "This cart is being checked out");
  return (await price(env, state)).view;
}

/** Chooses one seller's shipping option among those offered for the cart's address. */
export async function chooseShipping(
  env: Pick<Env, "CART" | "DB">,
  ref: CartRef,
  sellerId: string,
  optionId: string,
): Promise<CartView> {
  const { cartId, userId } = identity(ref);
  const stub = cartStub(env, ref);
  const priced = await price(env, await stub.state(cartId, userId));
  if (!priced.view.shipping_address)
    throw new ApiError("invalid_state", "Set the shipping address first (POST /cart/shipping-address)");
  const seller = priced.view.shipping_options.find((s) => s.seller_id === sellerId);
  if (!seller) throw new ApiError("not_found", "No item in the cart is shipped by this seller");
  if (!seller.options.some((o) => o.option_id === optionId)) {
    throw new ApiError("validation_failed", "option_id is not offered for this address", {
      details: [
        {
          field: "option_id",
          code: "not_offered",
          message: `one of ${seller.options.map((o) => o.option_id).join(", ")}`,
        },
      ],
    });
  }
  return (await price(env, await stub.chooseShipping(cartId, userId, sellerId, optionId))).view;
}

/** Applies a coupon: 404 when no such code, 409 when it does not apply to this cart (with the reason). */
export async function applyCoupon(env: Pick<Env, "CART" | "DB">, ref: CartRef, code: string): Promise<CartView> {
  const coupon = await promotions.findCouponByCode(env, code);
  if (!coupon) throw new ApiError("not_found", "No such coupon");
  const { cartId, userId } = identity(ref);
  const stub = cartStub(env, ref);
  const priced = await price(env, await stub.state(cartId, userId));
  const reason = await promotions.whyNotApplicable(env, coupon, priced.lines, userId);
  if (reason) throw new ApiError("coupon_not_applicable", reason);
  const current = priced.evaluation.coupons.filter((c) => priced.evaluation.applied.some((a) => a.code === c.code));
  const conflict = promotions.stackingConflict(current, coupon);
  if (conflict) throw new ApiError("coupon_not_applicable", conflict);
  const codes = [...new Set([...current.map((c) => c.code), coupon.code])];
  const state = await stub.setCoupons(cartId, userId, codes);
  return (await price(env, state)).view;
}

export async function removeCoupon(env: Pick<Env, "CART" | "DB">, ref: CartRef, code: string): Promise<CartView> {
  const { cartId, userId } = identity(ref);
  const stub = cartStub(env, ref);
  const state = await stub.state(cartId, userId);
  const next = state.coupons.filter((c) => c !== promotions.normalizeCode(code));
  return (await price(env, await stub.setCoupons(cartId, userId, next))).view;
}

/**
 * Login with a guest cart: its lines move into the user's cart (quantities add,
 * capped by stock), then the guest cart is emptied. Safe to repeat.
 */
export async function mergeGuestCart(
  env: Pick<Env, "CART" | "DB">,
  guestCartId: string,
  userId: string,
): Promise<void> {
  const guest = cartStub(env, { guestCartId });
  const state = await guest.state(guestCartId, null);
  if (!state.created || state.lines.length === 0) return;
  const rows = await findProducts(
    env,
    state.lines.map((l) => l.product_id),
  );
  // Caps per variant: its stock, none for an archived product or a variant gone since.
  const caps: Record<string, number> = {};
  for (const r of rows) for (const v of r.variants) caps[v.id] = r.status === "active" ? v.stockAvailable : 0;
  const lines: CartLine[] = state.lines.filter((l) => (caps[l.variant_id] ?? 0) > 0);
  const { cartId } = identity({ userId });
  await cartStub(env, { userId }).merge(cartId, userId, lines, caps, state.coupons);
  await guest.clear();
}

/** Cron: reminds signed-in shoppers of carts idle past a day, once per idle period (the activity instant names it). */
export async function remindAbandonedCarts(env: Env, now = Date.now(), batch = 200): Promise<number> {
  const { notify } = await import("../notifications");
  const rows = await env.DB.prepare(
    `SELECT id, user_id, item_count, last_activity_at FROM carts
     WHERE user_id IS NOT NULL AND item_count > 0 AND last_activity_at < ?
       AND (reminded_activity_at IS NULL OR reminded_activity_at < last_activity_at)
     ORDER BY last_activity_at LIMIT ?`,
  )
    .bind(now - ABANDONED_AFTER_MS, batch)
    .all<{ id: string; user_id: string; item_count: number; last_activity_at: number }>();
  for (const c of rows.results) {
    // The summary may trail the cart (an emptied cart is not projected): the cart object has the last word.
    const live = await cartStub(env, { userId: c.user_id }).itemCount();
    if (live === 0) {
      await env.DB.prepare("UPDATE carts SET item_count = 0 WHERE id = ? AND last_activity_at = ?")
        .bind(c.id, c.last_activity_at)
        .run();
      continue;
    }
    await notify(env, {
      userId: c.user_id,
      kind: "abandoned_cart",
      title: "You left something in your cart",
      body: `${live} item${live === 1 ? " is" : "s are"} waiting in your cart.`,
      data: { cart_id: c.id },
      dedupeKey: `cart:${c.id}:${c.last_activity_at}`,
    });
    await env.DB.prepare("UPDATE carts SET reminded_activity_at = ? WHERE id = ? AND last_activity_at = ?")
      .bind(c.last_activity_at, c.id, c.last_activity_at)
      .run();
  }
  return rows.results.length;
}

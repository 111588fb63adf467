import type { CartAddress, CartLine, CartState } from "../durable/cart";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { findPricing, findProducts, readProduct, readProducts, type PricingRow } from "./catalog/product-reads";
import { pickVariant, type VariantRow } from "./catalog/variants";
import { taxClassesOf } from "./catalog/categories";
import type { TaxClass } from "../lib/tax-classes";
import * as promotions from "./promotions";
import { notShippable, quote, shippingCost, type SellerShipping } from "./shipping";
import { taxProvider, type TaxQuote } from "./tax";
import { rateOf, regionCurrency } from "./fx";
import { BASE_CURRENCY, fromUsd, USD_RATE_MICRO } from "../lib/currency";

/**
 * The cart module. Each cart is a CartObject (src/durable/cart.ts): a user's
 * cart is named by the user, a guest's by its `crt_` id. This module prices
 * carts on every read from the live catalog, so the shopper sees when a price
 * moved since it was added, and checkout charges the current price.
 */

export type CartRef = { userId: string; guestCartId?: undefined } | { userId?: undefined; guestCartId: string };

export const ABANDONED_AFTER_MS = 24 * 3600 * 1000;

export function cartStub(env: Pick<Env, "CART">, ref: CartRef) {
  const name = ref.userId ? `user:${ref.userId}` : `guest:${ref.guestCartId}`;
  return env.CART.get(env.CART.idFromName(name));
}

/** The id a new cart gets; a user's cart id is derived once and stored in its object. */
export function newCartId(): string {
  return newId("cart");
}

interface CartItemView {
  cart_item_id: string;
  product_id: string;
  variant_id: string;
  options: Record<string, string>;
  name: string | null;
  quantity: number;
  price_when_added: number;
  price: number;
  price_changed: boolean;
  line_total: number;
  /** The line's tax at the shipping address (added, or contained where the cart shows `tax_included`); 0 until an address is known. */
  tax: number;
  available: boolean;
}

export interface CartView {
  cart_id: string;
  user_id: string | null;
  status: "active" | "abandoned";
  items: CartItemView[];
  coupon: promotions.AppliedCoupon | null;
  coupons: promotions.AppliedCoupon[];
  coupon_warnings: { code: string; reason: string }[];
  subtotal: number;
  discount: number;
  shipping_address: CartAddress | null;
  /** Per seller: the options for the shipping address and the one chosen (empty until an address is known). */
  shipping_options: SellerShipping[];
  shipping_total: number;
  /** Sales tax added on top of the prices. */
  tax_total: number;
  /** VAT or GST contained in the prices (not added again). */
  tax_included: number;
  /** subtotal − discount + shipping_total + tax_total. */
  total: number;
  currency: string;
  price_changes: boolean;
  updated_at: string;
}

export interface PricedCart {
  state: CartState;
  view: CartView;
  products: Map<string, PricingRow>;
  lines: promotions.PricedLine[];
  evaluation: Awaited<ReturnType<typeof promotions.evaluate>>;
  /** Sellers that do not ship to the address (checkout refuses with 409 not_shippable). */
  unshippable: string[];
  tax: TaxQuote | null;
  /** Each line's tax (by promotions.lineKey), in the cart's currency. */
  lineTax: Record<string, number>;
  /** The rate the cart was converted at (micro-units of its currency per 1 USD). */
  fxRateMicro: number;
}

/**
 * Prices a cart's lines with catalog prices and its coupons. A cart view reads
 * products through the display cache (at most 2 s stale in another isolate);
 * checkout asks for `fresh` rows from D1, so it charges the current price.
 */
export async function price(
  env: Pick<Env, "DB"> &
    Partial<Pick<Env, "TAX_PROVIDER" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE" | "STRIPE_TAX_CODES">>,
  state: CartState,
  opts: { fresh?: boolean; address?: CartAddress | null } = {},
): Promise<PricedCart> {
  const ids = state.lines.map((l) => l.product_id);
  const rows: PricingRow[] = opts.fresh ? await findPricing(env, ids) : await readProducts(env, ids);
  const products = new Map(rows.map((r) => [r.id, r]));
  const variantOf = (l: CartLine): VariantRow | undefined =>
    products.get(l.product_id)?.variants.find((v) => v.id === l.variant_id);
  const items: CartItemView[] = state.lines.map((l) => {
    const p = products.get(l.product_id);
    const v = variantOf(l);
    // A variant removed since it was added is as gone as an archived product: shown, not sold.
    const current = v?.price ?? p?.price ?? l.price_when_added;
    return {
      cart_item_id: l.cart_item_id,
      product_id: l.product_id,
      variant_id: l.variant_id,
      options: v?.options ?? {},
      name: p?.name ?? null,
      quantity: l.quantity,
      price_when_added: l.price_when_added,
      price: current,
      price_changed: current !== l.price_when_added,
      line_total: current * l.quantity,
      tax: 0,
      available: !!p && !!v && p.status === "active" && v.stockAvailable > 0,
    };
  });
  const lines: promotions.PricedLine[] = state.lines
    .filter((l) => variantOf(l))
    .map((l) => {
      const p = products.get(l.product_id)!;
      return {
        product_id: p.id,
        variant_id: l.variant_id,
        seller_id: p.sellerId,
        category_path: p.categoryPath,
        quantity: l.quantity,
        price: variantOf(l)!.price ?? p.price,
      };
    });
  const evaluation = await promotions.evaluate(env, state.coupons, lines, state.user_id);
  const subtotal = items.reduce((s, i) => s + i.line_total, 0);
  let discount = Math.min(evaluation.discount, subtotal);

  // Shipping and tax, once the cart knows where it goes (no address: neither is known yet, both 0).
  const address = opts.address ?? state.shipping_address;
  let shipping: SellerShipping[] = [];
  let unshippable: string[] = [];
  let tax: TaxQuote | null = null;
  let shippingDiscount = 0;
  let classes = new Map<string, TaxClass | null>();
  if (address && lines.length) {
    const parcels = new Map<string, { seller_id: string; subtotal: number; items: number; grams: number }>();
    for (const l of lines) {
      const p = parcels.get(l.seller_id) ?? { seller_id: l.seller_id, subtotal: 0, items: 0, grams: 0 };
      p.subtotal += l.price * l.quantity;
      p.items += l.quantity;
      p.grams +=
        (products.get(l.product_id)?.variants.find((v) => v.id === l.variant_id)?.weightGrams ?? 0) * l.quantity;
      parcels.set(l.seller_id, p);
    }
    ({ sellers: shipping, unshippable } = await quote(env, address, [...parcels.values()], state.shipping_choices));
    // A free-shipping coupon takes off the shipping it covers (its seller's, or everyone's), as a discount.
    for (const c of evaluation.coupons.filter(
      (c) => c.kind === "free_shipping" && evaluation.applied.some((a) => a.code === c.code),
    )) {
      const covered = shippingCost(shipping.filter((s) => !c.sellerId || s.seller_id === c.sellerId));
      const applied = evaluation.applied.find((a) => a.code === c.code)!;
      applied.amount += covered;
      discount += covered;
      shippingDiscount += covered;
    }
    classes = await taxClassesOf(env, [...new Set(lines.map((l) => l.category_path))]);
    tax = await taxProvider(env).quote(
      env,
      address,
      lines.map((l) => ({
        key: promotions.lineKey(l),
        amount: l.price * l.quantity - (evaluation.lineDiscounts[promotions.lineKey(l)] ?? 0),
        taxClass: classes.get(l.category_path) ?? null,
      })),
    );
  }
  const shippingTotal = shippingCost(shipping);
  const idle = Date.now() - state.last_activity_at > ABANDONED_AFTER_MS && state.lines.length > 0;
  const view: CartView = {
    cart_id: state.cart_id,
    user_id: state.user_id,
    status: idle ? "abandoned" : "active",
    items,
    coupon: evaluation.applied[0] ?? null,
    coupons: evaluation.applied,
    coupon_warnings: evaluation.rejected,
    subtotal,
    discount,
    shipping_address: address ?? null,
    shipping_options: shipping,
    shipping_total: shippingTotal,
    tax_total: tax?.added ?? 0,
    tax_included: tax?.included ?? 0,
    total: subtotal - discount + shippingTotal + (tax?.added ?? 0),
    currency: "usd",
    price_changes: items.some((i) => i.price_changed),
    updated_at: new Date(state.last_activity_at).toISOString(),
  };
  const lineTax: Record<string, number> = { ...(tax?.lines ?? {}) };
  let fxRateMicro = USD_RATE_MICRO;
  if (state.currency && state.currency !== BASE_CURRENCY) {
    // Shown and charged in the cart's currency: every amount converted from its base amount, then the
    // totals summed again in the target currency so they add up exactly after rounding.
    const { currency, rateMicro } = await rateOf(env, state.currency);
    fxRateMicro = rateMicro;
    const c = (n: number) => fromUsd(n, currency, rateMicro);
    // A price the seller set in this currency is charged as set (a variant with its own price is converted).
    const setPrice = (productId: string, variantId: string): number | undefined => {
      const p = products.get(productId);
      const v = p?.variants.find((x) => x.id === variantId);
      return v && v.price == null ? p?.prices?.[currency] : undefined;
    };
    let anySet = false;
    for (const i of items) {
      const set = setPrice(i.product_id, i.variant_id);
      anySet ||= set !== undefined;
      i.price_when_added = set !== undefined && !i.price_changed ? set : c(i.price_when_added);
      i.price = set ?? c(i.price);
      i.line_total = i.price * i.quantity;
    }
    for (const l of lines) l.price = setPrice(l.product_id, l.variant_id!) ?? c(l.price);
    for (const k of Object.keys(evaluation.lineDiscounts)) evaluation.lineDiscounts[k] = c(evaluation.lineDiscounts[k]);
    for (const a of evaluation.applied) a.amount = c(a.amount);
    for (const s of shipping) for (const o of s.options) o.amount = c(o.amount);
    for (const k of Object.keys(lineTax)) lineTax[k] = c(lineTax[k]);
    if (anySet && tax && address) {
      // Set prices are not conversions of the base ones: the tax is worked out again on what is charged.
      const again = await taxProvider(env).quote(
        env,
        address,
        lines.map((l) => ({
          key: promotions.lineKey(l),
          amount: Math.max(0, l.price * l.quantity - (evaluation.lineDiscounts[promotions.lineKey(l)] ?? 0)),
          taxClass: classes.get(l.category_path) ?? null,
        })),
        currency,
      );
      for (const k of Object.keys(lineTax)) lineTax[k] = again.lines[k] ?? 0;
    }
    const taxed = Object.values(lineTax).reduce((n, t) => n + t, 0);
    view.subtotal = items.reduce((n, i) => n + i.line_total, 0);
    view.shipping_total = shippingCost(shipping);
    view.discount = Math.min(
      view.subtotal + view.shipping_total,
      Object.values(evaluation.lineDiscounts).reduce((n, d) => n + d, 0) + c(shippingDiscount),
    );
    view.tax_total = tax?.added ? taxed : 0;
    view.tax_included = tax?.included ? taxed : 0;
    view.total = view.subtotal - view.discount + view.shipping_total + view.tax_total;
    view.currency = currency;
    view.price_changes = items.some((i) => i.price_changed);
  }
  for (const i of items) i.tax = lineTax[promotions.lineKey(i)] ?? 0;
  return { state, view, products, lines, evaluation, unshippable, tax, lineTax, fxRateMicro };
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
  const { notify } = await import("./notifications");
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

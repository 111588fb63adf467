import type { CartAddress, CartLine, CartState } from "../../durable/cart";
import { findPricing, readPricing, readProducts, type PricingRow } from "../catalog/product-reads";
import type { VariantRow } from "../catalog/variants";
import { taxClassesOf } from "../catalog/categories";
import type { TaxClass } from "../../lib/tax-classes";
import { quote, shippingCost, type SellerShipping } from "../shipping";
import { taxProvider, type TaxQuote } from "../tax";
import { rateOf } from "../fx";
import { BASE_CURRENCY, fromUsd, USD_RATE_MICRO } from "../../lib/currency";
import * as promotions from "../promotions";

export const ABANDONED_AFTER_MS = 24 * 3600 * 1000;

/**
 * Pricing a cart: its lines at the catalog's current prices, coupons, shipping for its address
 * and tax, shown and charged in the cart's currency (set prices, or converted at the store's rate).
 */
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
 * checkout asks for `fresh` rows from D1, or for `checked` ones (the pricing
 * cache, each row's version then checked where the order is written, see
 * catalog/pricing-guard.ts), so it charges the current price.
 */
export async function price(
  env: Pick<Env, "DB"> &
    Partial<Pick<Env, "TAX_PROVIDER" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE" | "STRIPE_TAX_CODES">>,
  state: CartState,
  opts: { rows?: "display" | "fresh" | "checked"; address?: CartAddress | null } = {},
): Promise<PricedCart> {
  const ids = state.lines.map((l) => l.product_id);
  const read = { display: readProducts, fresh: findPricing, checked: readPricing }[opts.rows ?? "display"];
  const rows: PricingRow[] = await read(env, ids);
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

import { getDb } from "../../db/client";
import { isStalePricing, pricingGuardStatements } from "../catalog/pricing-guard";
import { onOrderShard, orderBesideCatalog } from "../../db/shards";
import { paymentRowInsert } from "../payment-records";
import { attemptLeftUnpaid } from "../orders";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { errorFields, log } from "../../lib/logger";
import { writeMetric } from "../../lib/metrics";
import { Saga } from "../../lib/saga";
import type { AuthContext } from "../../types";
import type { CartAddress } from "../../durable/cart";
import { cartStub, price, userCartId } from "../cart";
import { notShippable } from "../shipping";
import { dispatchEvents } from "../events";
import { releaseAll, reserveAll, syncProjection } from "../inventory";
import { findOrder, newOrderWrites, stockRefOf, toOrder } from "../orders";
import { ProviderUnavailable } from "../payments";
import { setTestSeam, testSeam } from "../../lib/test-seams";
import * as promotions from "../promotions";
import * as wallet from "../wallet";
import { pendingOrderRows } from "./order-rows";
import { callProvider, cancelOrder, markPaid, refundCharge, resolvePaymentMethod } from "./steps";

/**
 * Checkout as a saga (src/lib/saga.ts): each step that holds something
 * registers its own undo, and a failure runs them in reverse, so a declined
 * card, a provider outage or a crash leaves no stock held (reservations also
 * expire by TTL), no coupon use taken and no store credit spent.
 *
 *   lease cart -> price -> reserve stock (one call per inventory object)
 *   -> write order, items, index rows, order.created (one D1 batch)
 *   -> redeem coupons -> spend store credit -> charge
 *   -> paid: commit stock, then order, items, payment record, order.paid and the stock levels
 *      the commit handed over (one D1 batch: the inventory objects write nothing themselves)
 *   -> clear cart; events published after the response, shared with other requests'
 *
 * A checkout without coupons or store credit costs two D1 round trips on the
 * request path, and a price read unless this isolate priced the products before
 * (the order's batch then checks their versions); docs/performance.md has the budget.
 */

export interface CheckoutInput {
  payment_method?: string;
  payment_method_id?: string;
  shipping_address: string | Record<string, string>;
  use_wallet?: boolean;
  expected_total?: number;
  return_url?: string;
}

/**
 * How long a checkout holds its stock. A paid checkout commits within a second; the hold matters
 * for a payment awaiting 3-D Secure, and a short one keeps such holds from hiding stock for long
 * (paying later takes the stock again if it is still there).
 */
export const CHECKOUT_HOLD_TTL_MS = 5 * 60 * 1000;

type CheckoutInterposer = (step: string) => Promise<void>;

/** The reliability suite: throw at a named step (through the one test seam). */
export function injectCheckoutFault(step: string | null): void {
  setTestSeam("checkout-fault", step);
}
/** The suite: run `fn` as each step begins (another writer racing the checkout), or stop with null. */
export function interposeAtCheckoutSteps(fn: CheckoutInterposer | null): void {
  setTestSeam("checkout-fault", fn);
}
function checkpoint(step: string): Promise<void> | undefined {
  const seam = testSeam<string | CheckoutInterposer>("checkout-fault");
  if (seam === step) throw new Error(`injected fault at ${step}`);
  return typeof seam === "function" ? seam(step) : undefined;
}

/** A checkout priced from cached rows found a product changed when writing the order: price again from D1. */
class PricedStale extends Error {}

export async function placeOrder(env: Env, auth: AuthContext, input: CheckoutInput) {
  try {
    const order = await runCheckout(env, auth, input, "checked").catch((err) => {
      if (!(err instanceof PricedStale)) throw err;
      // Everything the first attempt held was given back; this one reads every price fresh.
      log("info", "checkout priced a changed product; priced again", { user_id: auth.userId });
      return runCheckout(env, auth, input, "fresh");
    });
    writeMetric(env, "checkout", [order.status], [order.total_amount]);
    return order;
  } catch (err) {
    writeMetric(env, "checkout", [err instanceof ApiError ? err.code : "error"], [0]);
    throw err;
  }
}

/**
 * `pricing`: "checked" prices from this isolate's pricing cache, or "fresh" reads D1. Either way the
 * order's batch checks each product's version (catalog/pricing-guard.ts) when the order is in the
 * catalog's database (the guard runs in the order's transaction): a product changed since it was
 * priced fails the write, and after the undo a cached price is tried again fresh (PricedStale),
 * while a fresh one that moved meanwhile is refused with price_changed. An order in another
 * database prices fresh, unguarded.
 */
async function runCheckout(env: Env, auth: AuthContext, input: CheckoutInput, pricing: "checked" | "fresh") {
  const userId = auth.userId;
  const paymentMethod = await resolvePaymentMethod(env, userId, input);
  const orderId = newId("order");
  const guarded = orderBesideCatalog(env, orderId);
  const checked = pricing === "checked" && guarded;
  const cart = cartStub(env, { userId });
  const saga = new Saga({ order_id: orderId, user_id: userId });

  try {
    const lease = await cart.beginCheckout(userCartId(userId), userId, orderId);
    if (!lease.ok) throw new ApiError("invalid_state", "This cart is already being checked out");
    saga.onFailure("cart-lease", () => cart.endCheckout(orderId));
    // A new checkout ends the holds of the shopper's earlier unpaid one (finding 9 of the
    // security issue): that order stays payable, and paying it takes the stock again.
    for (const hold of lease.staleHolds) await releaseAll(env, hold.orderId, hold.refs).catch(() => undefined);
    if (lease.state.lines.length === 0) throw new ApiError("cart_empty", "The cart is empty");
    // Shipping and tax for the order's address when it gives one (else the cart's): cheapest options unless chosen.
    const address = orderAddress(input.shipping_address) ?? lease.state.shipping_address;
    const priced = await price(env, lease.state, { rows: checked ? "checked" : "fresh", address });
    const gone = lease.state.lines.filter((l) => {
      const p = priced.products.get(l.product_id);
      return p?.status !== "active" || !p.variants.some((v) => v.id === l.variant_id);
    });
    // A refusal is only ever made on rows read fresh: cached ones may predate the change that fixes it.
    const refused =
      priced.unshippable.length > 0 ||
      gone.length > 0 ||
      (input.expected_total !== undefined && input.expected_total !== priced.view.total);
    if (checked && refused) throw new PricedStale();
    if (priced.unshippable.length) throw notShippable(priced.lines, priced.unshippable);
    if (gone.length > 0) {
      throw new ApiError("invalid_state", "Some products in the cart are no longer sold; remove them first", {
        details: gone.map((l) => ({
          field: l.product_id,
          code: "unavailable",
          message: `archived or removed (${l.variant_id})`,
        })),
      });
    }
    const { view, evaluation } = priced;
    // Store credit is kept in the base currency: a cart in another currency pays by card alone.
    if (input.use_wallet && view.currency !== "usd") {
      throw new ApiError("validation_failed", "Store credit pays for carts in usd only", {
        details: [{ field: "use_wallet", code: "currency", message: `the cart is in ${view.currency}` }],
      });
    }
    if (input.expected_total !== undefined && input.expected_total !== view.total) {
      throw new ApiError(
        "price_changed",
        `The total is now ${view.total}, not ${input.expected_total}; review the cart and check out again`,
        {
          details: [{ field: "expected_total", code: "price_changed", message: `current total ${view.total}` }],
        },
      );
    }

    // 1. Stock, in fixed order, all or nothing: one call per inventory object.
    await checkpoint("reserve");
    await saga.step(
      "stock",
      () => reserveAll(env, orderId, priced.lines, CHECKOUT_HOLD_TTL_MS, { awaitProjection: false }),
      () => releaseAll(env, orderId, priced.lines),
    );

    // 2. The order, pending payment, with its items, index rows and event: one D1 batch.
    await checkpoint("write-order");
    const { order, items } = pendingOrderRows(orderId, userId, priced, input.shipping_address);
    const writes = newOrderWrites(env, order, items);
    const { handle: orderKept } = await saga.step(
      "order",
      async () => {
        await writes.indexElsewhere();
        await writes.write(guarded ? pricingGuardStatements(env.DB, [...priced.products.values()]) : []);
      },
      () => cancelOrder(env, order, items),
    );
    await dispatchEvents(writes.home, [writes.created]);

    // 3. Coupon budgets, atomically.
    await checkpoint("redeem-coupons");
    for (const c of evaluation.coupons.filter((c) => evaluation.applied.some((a) => a.code === c.code))) {
      const amount = evaluation.applied.find((a) => a.code === c.code)!.amount;
      const { value: ok } = await saga.step(
        `coupon ${c.code}`,
        () => promotions.redeem(env, c.id, orderId, userId, amount),
        (redeemed) => (redeemed ? promotions.unredeem(env, c.id, orderId) : Promise.resolve()),
      );
      if (!ok)
        throw new ApiError("coupon_not_applicable", `Coupon ${c.code} has been used up; remove it and check out again`);
    }

    // 4. Store credit first, when asked.
    await checkpoint("wallet");
    if (input.use_wallet) {
      const { value } = await saga.step(
        "store-credit",
        () => wallet.debitForOrder(env, userId, orderId, order.totalAmount),
        () => wallet.reverseDebit(env, userId, orderId),
      );
      order.walletAmount = value;
    }

    // 5. Charge what is left.
    await checkpoint("charge");
    const result = await callProvider(
      env,
      order,
      paymentMethod,
      order.totalAmount - order.walletAmount,
      `order:${orderId}:checkout`,
      input.return_url,
    );
    const home = getDb(onOrderShard(env, orderId));
    if (result.status === "declined") {
      // The order stays payable (POST /payments/pay), but nothing is held for it: no stock and
      // no coupon use (a declined card must not drain a coupon's budget); a retry redeems again.
      saga.keep(orderKept);
      await saga.compensate();
      await home.batch([paymentRowInsert(home, result.row), attemptLeftUnpaid(home, orderId, 0)]);
      throw new ApiError("payment_declined", result.message, {
        details: [{ field: "payment_method", code: result.code, message: result.message }],
      });
    }
    if (result.status === "requires_action") {
      // Stock stays reserved until the TTL while the buyer authenticates; the cart is done.
      saga.complete();
      await home.batch([paymentRowInsert(home, result.row), attemptLeftUnpaid(home, orderId, order.walletAmount)]);
      await syncProjection(env, items.map(stockRefOf));
      await cart.recordHold(orderId, items.map(stockRefOf), Date.now() + CHECKOUT_HOLD_TTL_MS);
      await cart.clear(orderId);
      const found = (await findOrder(env, orderId))!;
      return toOrder(found.order, found.items, { viewer: "buyer", payment: result.row });
    }

    // Money moved: from here on, a failure must give it back.
    saga.onFailure("charge", () => refundCharge(env, order, "checkout failed after the charge", result.row));

    // 6. Paid: the stock for good, then the order with its payment record.
    await checkpoint("mark-paid");
    const paid = await markPaid(env, order, items, orderId, result.row);
    saga.complete();
    await cart.clear(orderId);
    return toOrder(
      paid,
      items.map((i) => ({ ...i, status: "paid" as const })),
      { viewer: "buyer", payment: result.row },
    );
  } catch (err) {
    await saga.compensate();
    if (err instanceof PricedStale) throw err;
    if (guarded && isStalePricing(err)) {
      if (checked) throw new PricedStale();
      throw new ApiError(
        "price_changed",
        "A product in the cart changed while checking out; nothing was charged. Review the cart and check out again",
      );
    }
    if (err instanceof ProviderUnavailable) {
      throw new ApiError(
        "service_unavailable",
        "The payment provider is unavailable; nothing was charged. Try again shortly.",
      );
    }
    if (err instanceof ApiError) throw err;
    // Anything else (a storage or object call failing): everything was given back, so the
    // client may simply retry; say so rather than a bare 500.
    log("error", "checkout failed; compensated", { order_id: orderId, user_id: userId, ...errorFields(err) });
    throw new ApiError(
      "service_unavailable",
      "Checkout could not complete; nothing was charged or held. Try again shortly.",
    );
  }
}

/** An order's address as shipping and tax read it: an object with a country (a free-text address has none). */
function orderAddress(a: CheckoutInput["shipping_address"]): CartAddress | null {
  if (typeof a !== "object" || !a || typeof a.country !== "string" || !/^[A-Za-z]{2}$/.test(a.country)) return null;
  return {
    name: a.name ?? "",
    line1: a.line1 ?? "",
    city: a.city ?? "",
    postal_code: a.postal_code ?? "",
    country: a.country.toUpperCase(),
    ...(a.region ? { region: a.region.toUpperCase() } : {}),
  };
}

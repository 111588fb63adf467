import { onOrderShard } from "../../db/shards";
import { sha256Hex } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { buildEvent, dispatchEvents, outboxFromSelect, type DomainEvent } from "../events";
import { shippingPaidBySeller, type OrderItemRow, type OrderRow } from "../orders";
import { latestPayment, type PaymentRow, recordCaptureStatement, recordReleaseStatement } from "../payment-records";
import { linePaid } from "./refund-tax";
import { paymentProvider, ProviderUnavailable } from "./select";

/**
 * Authorise, then capture per seller shipment (as Amazon charges on shipment). A checkout with
 * the capture policy `on_shipment` authorises the card (capture_method `manual`); each seller's
 * shipment captures that seller's share: their lines as the buyer paid them (goods after discount,
 * tax added on top) and, with their first shipment, their shipping. The capture that leaves nothing
 * to ship takes what is left and is final (the provider lets the rest go). Cancelled lines are let
 * go instead of refunded (releaseForRefund). Each capture is a `payment.captured` event through
 * the outbox; the ledger posts the seller's sale then, not at authorisation.
 *
 * Store credit pays first at checkout, so the card's authorisation may be smaller than the sum of
 * the shares: a capture takes at most what is left of it, and the ledger still credits the seller
 * their whole share (the rest was paid in store credit).
 */

/** What of the authorisation is neither captured nor let go. */
export const uncaptured = (p: PaymentRow) =>
  p.captureMethod === "manual" && p.status === "succeeded" ? p.amount - p.capturedAmount - p.releasedAmount : 0;

export interface CapturePlan {
  /** The rows that record the captures, for the batch that moves the lines. */
  statements: D1PreparedStatement[];
  events: DomainEvent[];
}

const NOTHING: CapturePlan = { statements: [], events: [] };

/**
 * Captures each seller's share of `lineIds` (lines moving from paid: a shipment, or the expiry
 * cron under the `capture` policy) at the provider, and returns the statements that record them.
 * Each capture's key is derived from its lines, so a retried shipment captures nothing twice (the
 * provider replays the same capture, and the record ignores a capture it already has).
 */
export async function captureLines(
  env: Env,
  order: OrderRow,
  items: OrderItemRow[],
  lineIds: string[],
): Promise<CapturePlan> {
  const payment = await latestPayment(env, order.id);
  if (payment?.captureMethod !== "manual" || payment.status !== "succeeded") return NOTHING;
  const moving = new Set(lineIds);
  const already = new Set(payment.captures.flatMap((c) => c.item_ids));
  const toCapture = items.filter((i) => moving.has(i.id) && !already.has(i.id));
  if (toCapture.length === 0) return NOTHING;
  const stillToShip = items.filter((i) => i.status === "paid" && !moving.has(i.id) && !already.has(i.id));
  const sellers = [...new Set(toCapture.map((i) => i.sellerId))].sort();
  const shipping = shippingPaidBySeller(order, items);
  const home = onOrderShard(env, order.id);
  let left = uncaptured(payment);
  const plan: CapturePlan = { statements: [], events: [] };
  for (const [n, sellerId] of sellers.entries()) {
    const lines = toCapture.filter((i) => i.sellerId === sellerId);
    const firstOfSeller = !payment.captures.some((c) => c.seller_id === sellerId);
    const ship = firstOfSeller ? (shipping.find((s) => s.seller_id === sellerId)?.paid ?? 0) : 0;
    const lineTax = order.taxTotal > 0 ? lines.reduce((t, i) => t + i.tax, 0) : 0;
    const final = stillToShip.length === 0 && n === sellers.length - 1;
    // The last capture also carries the tax on no line (on shipping), which only the total holds.
    const restTax =
      final && order.taxTotal > 0 ? Math.max(0, order.taxTotal - items.reduce((t, i) => t + i.tax, 0)) : 0;
    const share = lines.reduce((t, i) => t + linePaid(order, i), 0) + ship + restTax;
    const amount = final ? left : Math.min(share, left);
    const key = (await sha256Hex(`${order.id}:${lines.map((i) => i.id).join(",")}`)).slice(0, 24);
    let ref: string | null = null;
    if (amount > 0 && payment.transactionRef) {
      const result = await callCapture(env, payment.provider, payment.transactionRef, amount, final, `capture:${key}`);
      if (result.status === "failed") {
        throw new ApiError("invalid_state", `The payment could not be captured: ${result.message}`, {
          details: [{ field: "payment", code: result.code, message: result.message }],
        });
      }
      ref = result.ref;
    }
    left -= amount;
    const capture = {
      id: `cap_${key}`,
      seller_id: sellerId,
      item_ids: lines.map((i) => i.id),
      amount,
      ref,
      at: new Date().toISOString(),
    };
    const event = buildEvent("payment.captured", {
      order_id: order.id,
      payment_id: payment.id,
      seller_id: sellerId,
      item_ids: capture.item_ids,
      amount,
      shipping: ship,
      tax: lineTax + restTax,
      final,
    });
    event.id = `evt_${capture.id}`;
    plan.statements.push(
      recordCaptureStatement(home.DB, payment.id, capture),
      // Only when the capture was recorded now (a replayed shipment records nothing, and sends nothing).
      outboxFromSelect(
        home.DB,
        "SELECT ?, ?, ?, ? WHERE changes() > 0",
        event.id,
        event.type,
        JSON.stringify(event),
        event.occurred_at,
      ),
    );
    plan.events.push(event);
  }
  return plan;
}

/** Runs a capture plan on its own (the expiry cron; a shipment runs it in the batch that ships). */
export async function recordCaptures(env: Env, orderId: string, plan: CapturePlan): Promise<void> {
  if (plan.statements.length === 0) return;
  const home = onOrderShard(env, orderId);
  await home.DB.batch(plan.statements);
  await dispatchEvents(home, plan.events);
}

async function callCapture(
  env: Env,
  provider: string,
  ref: string,
  amount: number,
  final: boolean,
  idempotencyKey: string,
) {
  try {
    return await paymentProvider(env, provider).capture({ paymentRef: ref, amount, final, idempotencyKey });
  } catch (err) {
    if (err instanceof ProviderUnavailable)
      throw new ApiError("service_unavailable", "The payment provider is unavailable; nothing was captured or shipped");
    throw err;
  }
}

/** What of `lines` (all of the order when absent) was authorised and never captured. */
export function uncapturedCost(
  order: OrderRow,
  items: OrderItemRow[],
  payment: PaymentRow,
  lines: string[] | undefined,
  shippingBack: number,
): number {
  const open = uncaptured(payment);
  if (!lines) return open;
  const captured = new Set(payment.captures.flatMap((c) => c.item_ids));
  const cost = items
    .filter((i) => lines.includes(i.id) && !captured.has(i.id))
    .reduce((t, i) => t + linePaid(order, i), 0);
  return Math.min(open, cost + shippingBack);
}

/**
 * Lets go of `amount` of an authorisation (a refund of lines never captured, worked out by the
 * refund). Recorded in one conditional update, never past what is uncaptured; when nothing is left
 * to capture, the provider lets the authorisation go. Answers what was let go (0 when another
 * refund let it go meanwhile).
 */
export async function releaseForRefund(
  env: Env,
  order: OrderRow,
  items: OrderItemRow[],
  amount: number,
  refundLines: OrderItemRow[] | null,
  refundId: string,
): Promise<number> {
  const payment = await latestPayment(env, order.id);
  if (!payment || amount <= 0) return 0;
  const open = uncaptured(payment);
  const release = Math.min(amount, open);
  if (release <= 0) return 0;
  const home = onOrderShard(env, order.id);
  const [res] = await home.DB.batch([recordReleaseStatement(home.DB, payment.id, release)]);
  if ((res.meta.changes ?? 0) === 0) return 0;
  const captured = new Set(payment.captures.flatMap((c) => c.item_ids));
  const going = new Set(refundLines?.map((i) => i.id) ?? items.map((i) => i.id));
  const nothingToShip = items.every((i) => i.status !== "paid" || going.has(i.id) || captured.has(i.id));
  if ((open - release === 0 || nothingToShip) && payment.transactionRef) {
    await paymentProvider(env, payment.provider).release(payment.transactionRef, `release:${refundId}`);
  }
  return release;
}

/** Lets go of what is left of an authorisation with nothing left to ship (the expiry cron). */
export async function releaseRemainder(env: Env, payment: PaymentRow): Promise<void> {
  const open = uncaptured(payment);
  if (open <= 0) return;
  const home = onOrderShard(env, payment.orderId);
  await home.DB.batch([recordReleaseStatement(home.DB, payment.id, open)]);
  if (payment.transactionRef)
    await paymentProvider(env, payment.provider).release(payment.transactionRef, `release:${payment.id}:rest`);
}

/**
 * A capture made at the provider, not by a shipment (its dashboard): what it took beyond what we
 * recorded is recorded as a capture of no lines, so the shipments that follow capture only what
 * is left (each seller is still credited their share when they ship). Answers whether anything
 * was new.
 */
export async function recordOutsideCapture(
  env: Env,
  payment: PaymentRow,
  capturedTotal: number,
  ref: string,
): Promise<boolean> {
  const extra = Math.min(capturedTotal - payment.capturedAmount, uncaptured(payment));
  if (extra <= 0) return false;
  const home = onOrderShard(env, payment.orderId);
  const capture = {
    id: `cap_outside_${ref}_${capturedTotal}`,
    seller_id: null,
    item_ids: [],
    amount: extra,
    ref,
    at: new Date().toISOString(),
  };
  const [res] = await home.DB.batch([recordCaptureStatement(home.DB, payment.id, capture)]);
  return (res.meta.changes ?? 0) > 0;
}

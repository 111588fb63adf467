import { ApiError } from "../../lib/errors";
import type { AuthContext } from "../../types";
import { adjustStock } from "../inventory";
import { createRefund } from "../payments";
import { sellerSettings } from "../ledger";
import { type Line, toReturn, conflict, tell, getReturn, move, assertSellerSide } from "./records";

/** The steps after a request: the seller approves (with a label) or rejects, the buyer adds tracking, the seller receives and the refund is issued. */

export async function approveReturn(env: Env, auth: AuthContext, id: string, note?: string) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  const worth = row.items.reduce((n, i) => n + i.unit_amount * i.quantity, 0);
  const { refundOnApprovalBelow } = await sellerSettings(env, row.sellerId);
  if (refundOnApprovalBelow !== null && worth < refundOnApprovalBelow) {
    // Low value: the seller's policy refunds on approval and keeps no parcel (nothing restocks).
    const approved = await move(env, row, ["requested"], { status: "approved", note: note ?? null, label: null });
    const amount = row.requestedAmount !== null ? Math.min(row.requestedAmount, worth) : worth;
    const refund = await createRefund(
      env,
      { userId: auth.userId, role: "admin" },
      { order_id: row.orderId, amount, reason: `return ${row.id} (refunded on approval)` },
      {
        refundId: row.refundId ?? undefined,
        allowStatuses: ["delivered", "partially_refunded", "shipped", "paid"],
        audited: false,
        restock: false,
        forLines: row.items.map((i) => i.order_item_id),
      },
    );
    const done = await move(env, approved, ["approved"], { status: "refunded", refundId: refund.refund_id, amount });
    await tell(
      env,
      row.userId,
      done,
      "Return refunded",
      `Your return for order ${row.orderId} was refunded; keep the item.`,
    );
    return toReturn(done);
  }
  const next = await move(env, row, ["requested"], { status: "approved", note: note ?? null, label: `RMA-${row.id}` });
  await tell(
    env,
    row.userId,
    next,
    "Return approved",
    `Your return for order ${row.orderId} was approved. Write RMA-${row.id} on the parcel and add its tracking number.`,
  );
  return toReturn(next);
}

export async function rejectReturn(env: Env, auth: AuthContext, id: string, note: string) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  const next = await move(env, row, ["requested"], { status: "rejected", note });
  await tell(
    env,
    row.userId,
    next,
    "Return declined",
    `Your return for order ${row.orderId} was declined: ${note.slice(0, 200)}`,
  );
  return toReturn(next);
}

export async function addReturnTracking(env: Env, auth: AuthContext, id: string, trackingNumber: string) {
  const { row, role } = await getReturn(env, auth, id);
  if (role !== "buyer") throw new ApiError("forbidden", "Only the buyer adds the return's tracking number");
  const next = await move(env, row, ["approved"], { status: "in_transit", trackingNumber });
  await tell(
    env,
    row.sellerId,
    next,
    "Return on its way",
    `The return for order ${row.orderId} is on its way (tracking ${trackingNumber}).`,
  );
  return toReturn(next);
}

/**
 * The seller received the parcel: each unit's condition is recorded, sellable units go back to
 * stock, and the refund is issued for the units that came back (or the amount the buyer asked for
 * through POST /payments/refunds, if less). Units not in the parcel are not refunded.
 */
export async function receiveReturn(
  env: Env,
  auth: AuthContext,
  id: string,
  received: { order_item_id: string; quantity: number; condition: "sellable" | "damaged" }[],
) {
  const { row, role } = await getReturn(env, auth, id);
  assertSellerSide(role);
  if (row.status !== "approved" && row.status !== "in_transit")
    throw conflict(`A return that is ${row.status} cannot be received`);
  const expected = new Map(row.items.map((i) => [i.order_item_id, i]));
  const counted = new Map<string, number>();
  for (const [n, r] of received.entries()) {
    const line = expected.get(r.order_item_id);
    if (!line)
      throw new ApiError("validation_failed", "Not a line of this return", {
        details: [{ field: `items.${n}.order_item_id`, code: "not_found", message: "not in this return" }],
      });
    counted.set(r.order_item_id, (counted.get(r.order_item_id) ?? 0) + r.quantity);
    if (counted.get(r.order_item_id)! > line.quantity) {
      throw new ApiError("validation_failed", "More units than the return holds", {
        details: [{ field: `items.${n}.quantity`, code: "too_many", message: `at most ${line.quantity}` }],
      });
    }
  }
  // Claim the step first, so a second receive of the same parcel does nothing twice.
  const claimed = await move(env, row, ["approved", "in_transit"], { status: "received" });
  const items: Line[] = row.items.map((i) => {
    const got = received.filter((r) => r.order_item_id === i.order_item_id);
    const damaged = got.some((r) => r.condition === "damaged");
    return {
      ...i,
      quantity: got.reduce((n, r) => n + r.quantity, 0),
      condition: got.length ? (damaged ? "damaged" : "sellable") : null,
    };
  });
  for (const r of received) {
    if (r.condition !== "sellable" || r.quantity === 0) continue;
    const line = expected.get(r.order_item_id)!;
    await adjustStock(
      env,
      { product_id: line.product_id, variant_id: line.variant_id },
      `return:${row.id}:${r.order_item_id}:${r.condition}`,
      r.quantity,
    );
  }
  const worth = received.reduce((sum, r) => sum + expected.get(r.order_item_id)!.unit_amount * r.quantity, 0);
  const amount = row.requestedAmount !== null ? Math.min(row.requestedAmount, worth) : worth;
  let refundId = row.refundId;
  if (amount > 0) {
    const refund = await createRefund(
      env,
      { userId: auth.userId, role: "admin" },
      { order_id: row.orderId, amount, reason: `return ${row.id}: ${row.reason}`.slice(0, 500) },
      {
        refundId: row.refundId ?? undefined,
        allowStatuses: ["delivered", "partially_refunded", "shipped", "paid"],
        audited: false,
        restock: false,
        forLines: row.items.map((i) => i.order_item_id),
      },
    );
    refundId = refund.refund_id;
  }
  const done = await move(env, claimed, ["received"], { status: "refunded", items, refundId, amount });
  await tell(
    env,
    row.userId,
    done,
    "Return received, refund issued",
    `We received your return for order ${row.orderId} and refunded it.`,
  );
  return toReturn(done);
}

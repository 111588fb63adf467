import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { onOrderShard } from "../../db/shards";
import { refunds } from "../../db/schema/payments";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { AuthContext } from "../../types";
import { dispatchEvents, outboxInsert } from "../events";
import { claimRefund, refundedLinesUpdate, releaseRefundClaim } from "../orders";
import { adjustStock } from "../inventory";
import { findOrder, orderEvent, stockRefOf, viewerOf, type OrderRow } from "../orders";
import { latestPayment } from "../payment-records";
import { releaseForRefund, uncaptured, uncapturedCost } from "./capture";
import * as wallet from "../wallet";
import { audit } from "../audit";
import { paymentProvider, ProviderUnavailable } from "./select";
import { linePaid, refundTax, shippingBack } from "./refund-tax";

export type RefundRow = typeof refunds.$inferSelect;

export function toRefund(r: RefundRow) {
  return {
    refund_id: r.id,
    order_id: r.orderId,
    payment_id: r.paymentId,
    user_id: r.userId,
    amount: r.amount,
    wallet_amount: r.walletAmount,
    currency: r.currency,
    reason: r.reason,
    status: r.status,
    transaction_ref: r.transactionRef,
    created_at: r.createdAt,
  };
}

const REFUNDABLE_BY_ADMIN = ["paid", "shipped", "delivered", "partially_refunded"] as const;

/**
 * A refund: an admin's, a seller's of their own lines, or one a workflow issues for the buyer
 * (a cancel of unshipped lines, a received return: they pass allowStatuses). The amount is claimed against the order in one conditional UPDATE
 * (refunded_amount + amount <= total_amount), so 20 concurrent requests can
 * never refund more than was paid; a provider failure gives the claim back.
 * The card gets back what it paid, the rest (or everything, with to_wallet)
 * becomes store credit. A full refund restocks the items.
 */
export async function createRefund(
  env: Env,
  auth: AuthContext,
  input: { order_id: string; amount?: number; reason: string; to_wallet?: boolean },
  opts: {
    refundId?: string;
    allowStatuses?: OrderRow["status"][];
    /** Refund exactly these order lines (a buyer cancelling what has not shipped): the amount is theirs, they take `lineStatus` and go back to stock. */
    lines?: string[];
    lineStatus?: "cancelled" | "refunded";
    /** False for refunds a workflow issues on someone's behalf (a received return): not an admin action. */
    audited?: boolean;
    /** False when the caller restocks what actually came back (a return, unit by unit). */
    restock?: boolean;
    /** The lines the money is for, when the caller knows (a return of one seller's lines): the ledger debits their seller. */
    forLines?: string[];
    /** A refund already made at the provider (its dashboard; a `charge.refunded` webhook): recorded, not sent. */
    external?: { ref: string };
  } = {},
) {
  const found = await findOrder(env, input.order_id);
  if (!found) throw new ApiError("not_found", "Order not found");
  const viewer = viewerOf(auth, found.order, found.items);
  const { order, items } = found;
  // A seller refunds their own lines only, up to what those lines were paid.
  // What a line cost includes its sales tax, so a refund of it gives the tax back too.
  const sellerCap =
    viewer === "seller"
      ? items.filter((i) => i.sellerId === auth.userId).reduce((n, i) => n + linePaid(order, i), 0) -
        (await refundedBy(env, order.id, auth.userId))
      : null;
  // A buyer's money comes back through a cancel (unshipped lines) or a return (returns.ts), which
  // say which statuses they refund; a buyer never refunds a shipped order directly.
  if (viewer === "buyer" && !opts.allowStatuses)
    throw new ApiError("invalid_state", "Return a delivered order with POST /returns");
  const allowed: readonly string[] = opts.allowStatuses ?? REFUNDABLE_BY_ADMIN;
  if (!allowed.includes(order.status))
    throw new ApiError("invalid_state", `An order that is ${order.status} cannot be refunded`);
  const remaining = Math.min(order.totalAmount - order.refundedAmount, sellerCap ?? Number.POSITIVE_INFINITY);
  const lines = opts.lines ? items.filter((i) => opts.lines!.includes(i.id)) : null;
  // A cancel that leaves a seller nothing to ship gives their shipping back too (once: their last lines go now).
  const linesCost = lines ? lines.reduce((sum, i) => sum + linePaid(order, i), 0) : 0;
  const shipping = lines && opts.lineStatus === "cancelled" ? shippingBack(order, items, lines) : [];
  const shippingTotal = shipping.reduce((n, s) => n + s.amount, 0);
  const amount = lines ? Math.min(remaining, linesCost + shippingTotal) : (input.amount ?? remaining);
  // Capped by an earlier refund of the same money: it is goods and tax, not shipping.
  const shippingRefunded = lines && amount === linesCost + shippingTotal ? shipping : [];
  if (amount <= 0 || amount > remaining) {
    throw new ApiError("refund_exceeds_payment", `At most ${remaining} can still be refunded on this order`, {
      details: [{ field: "amount", code: "exceeds_remaining", message: `remaining ${remaining}` }],
    });
  }

  // Everything about the order (its row, refunds, outbox) is in its own database.
  const home = onOrderShard(env, order.id);
  // Claim the amount atomically; the status follows in the same statement.
  const claim = await claimRefund(home.DB, order.id, amount, allowed);
  if (!claim) {
    throw new ApiError(
      "refund_exceeds_payment",
      "This refund would exceed what was paid (another refund was issued meanwhile)",
    );
  }

  const refundId = opts.refundId ?? newId("refund");
  const db = getDb(home);
  // What the card paid and what it already got back decide the split.
  const payment = await latestPayment(env, order.id);
  const cardPaid = payment?.status === "succeeded" && payment.provider !== "wallet" ? payment.amount : 0;
  const prior = await db
    .select({ card: sql<number>`COALESCE(SUM(${refunds.amount} - ${refunds.walletAmount}), 0)` })
    .from(refunds)
    .where(and(eq(refunds.orderId, order.id), eq(refunds.status, "succeeded")))
    .get();
  const cardPart = input.to_wallet ? 0 : Math.max(0, Math.min(amount, cardPaid - (prior?.card ?? 0)));
  const walletPart = amount - cardPart;

  const refundLines =
    opts.forLines ??
    lines?.map((i) => i.id) ??
    (viewer === "seller" ? items.filter((i) => i.sellerId === auth.userId).map((i) => i.id) : undefined);
  // Of the card's part, money authorised and never captured (unshipped lines) is let go, not refunded.
  const releasable =
    cardPart > 0 && payment && !opts.external && uncaptured(payment) > 0
      ? Math.min(cardPart, uncapturedCost(order, items, payment, refundLines, shippingTotal))
      : 0;
  const refundPart = cardPart - releasable;

  let transactionRef: string | null = opts.external?.ref ?? null;
  if (refundPart > 0 && !opts.external) {
    try {
      const r = await paymentProvider(env, payment!.provider).refund({
        paymentRef: payment!.transactionRef!,
        amount: refundPart,
        idempotencyKey: `refund:${refundId}`,
      });
      if (r.status !== "succeeded")
        throw new ApiError("invalid_state", `The payment provider refused the refund: ${r.message}`);
      transactionRef = r.ref;
    } catch (err) {
      // Give the claim back, and the status with it.
      await releaseRefundClaim(
        home.DB,
        order.id,
        amount,
        order.status === "partially_refunded" ? (order.deliveredAt ? "delivered" : "paid") : order.status,
      );
      if (err instanceof ProviderUnavailable)
        throw new ApiError("service_unavailable", "The payment provider is unavailable; nothing was refunded");
      throw err;
    }
  }
  const released =
    releasable > 0
      ? await releaseForRefund(
          env,
          order,
          items,
          releasable,
          refundLines ? items.filter((i) => refundLines.includes(i.id)) : null,
          refundId,
        )
      : 0;
  if (walletPart > 0) await wallet.credit(env, order.userId, walletPart, "refund_credit", refundId);

  const next: OrderRow = { ...order, refundedAmount: claim.refunded_amount, status: claim.status };
  const shippingPart = shippingRefunded.reduce((n, s) => n + s.amount, 0);
  const taxBack = refundTax(
    order,
    amount - shippingPart,
    refundLines ? items.filter((i) => refundLines.includes(i.id)) : undefined,
  );
  const event = orderEvent("order.refunded", next, items, {
    refund_amount: amount,
    ...(refundLines ? { refund_lines: refundLines } : {}),
    ...(shippingRefunded.length ? { refund_shipping: shippingRefunded } : {}),
    ...(taxBack.added || taxBack.included ? { refund_tax: taxBack } : {}),
    ...(released ? { released_amount: released } : {}),
  });
  const [row] = await db.batch([
    db
      .insert(refunds)
      .values({
        id: refundId,
        orderId: order.id,
        paymentId: payment?.id ?? null,
        userId: order.userId,
        requestedBy: auth.userId,
        amount,
        walletAmount: walletPart,
        releasedAmount: released,
        currency: order.currency,
        reason: input.reason,
        status: "succeeded",
        transactionRef,
      })
      // A pending refund (a return waiting for its parcel) becomes this one.
      .onConflictDoUpdate({
        target: refunds.id,
        set: {
          amount,
          walletAmount: walletPart,
          releasedAmount: released,
          status: "succeeded",
          transactionRef,
          paymentId: payment?.id ?? null,
          updatedAt: new Date().toISOString(),
        },
      })
      .returning(),
    outboxInsert(db, event),
    refundedLinesUpdate(
      db,
      order.id,
      claim.status,
      lines ? { ids: lines.map((i) => i.id), status: opts.lineStatus ?? "refunded" } : undefined,
    ),
  ]);
  await dispatchEvents(home, [event]);
  if (viewer === "admin" && auth.userId !== order.userId && opts.audited !== false) {
    await audit(env, {
      actorId: auth.userId,
      action: "refund.issued",
      targetType: "order",
      targetId: order.id,
      details: { refund_id: refundId, amount, reason: input.reason, lines: lines?.map((i) => i.id) ?? null },
    });
  }

  // Refunded lines go back on sale: the named ones, or all of them on a full refund.
  const restocked = opts.restock === false ? [] : (lines ?? (claim.status === "refunded" ? items : []));
  await Promise.all(
    restocked.map((i) =>
      adjustStock(env, stockRefOf(i), `restock:${refundId}:${i.id}`, i.quantity).catch(() => undefined),
    ),
  );
  return toRefund(row[0]);
}

/** What has been refunded on a seller's lines of an order (the cap of that seller's own refunds). */
async function refundedBy(env: Pick<Env, "DB">, orderId: string, sellerId: string): Promise<number> {
  const row = await getDb(onOrderShard(env, orderId))
    .select({ n: sql<number>`COALESCE(SUM(${refunds.amount}), 0)` })
    .from(refunds)
    .where(and(eq(refunds.orderId, orderId), eq(refunds.requestedBy, sellerId), eq(refunds.status, "succeeded")))
    .get();
  return row?.n ?? 0;
}

/**
 * A refund the buyer asked for on a delivered order: recorded `pending`, nothing claimed or paid,
 * until its return is received (returns.ts issues it then, under this id).
 */
export async function recordPendingRefund(
  env: Pick<Env, "DB">,
  order: OrderRow,
  requestedBy: string,
  amount: number,
  reason: string,
) {
  const remaining = order.totalAmount - order.refundedAmount;
  if (amount <= 0 || amount > remaining) {
    throw new ApiError("refund_exceeds_payment", `At most ${remaining} can still be refunded on this order`, {
      details: [{ field: "amount", code: "exceeds_remaining", message: `remaining ${remaining}` }],
    });
  }
  const row = await getDb(onOrderShard(env, order.id))
    .insert(refunds)
    .values({
      id: newId("refund"),
      orderId: order.id,
      paymentId: null,
      userId: order.userId,
      requestedBy,
      amount,
      walletAmount: 0,
      currency: order.currency,
      reason,
      status: "pending",
      transactionRef: null,
    })
    .returning()
    .get();
  return toRefund(row);
}

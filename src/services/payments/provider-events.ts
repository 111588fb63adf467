import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { onOrderShard } from "../../db/shards";
import { paymentDisputes, refunds } from "../../db/schema/payments";
import { MINOR_UNITS } from "../../lib/currency";
import { log } from "../../lib/logger";
import { buildEvent, dispatchEvents, outboxFromSelect } from "../events";
import { findOrder } from "../orders";
import { paymentByRef } from "../payment-records";
import * as wallet from "../wallet";
import { createRefund } from "./refunds";

/**
 * What a provider says happened outside our calls, applied once: refunds made or failed at the
 * provider, and disputes (chargebacks). Each answers `applied`, `ignored` (nothing to change: a
 * duplicate, or a state already past it), or `park` when what it acts on is not here yet (a
 * refund event before its payment settled, a dispute's close before its opening); the webhook
 * keeps parked events and the cron retries them (webhook-parking.ts). The shapes are the
 * provider-neutral facts each adapter (Stripe, PayPal) reads from its own events.
 */

export type ProviderEventOutcome = { outcome: "applied" | "ignored" } | { outcome: "park"; reason: string };

const applied = { outcome: "applied" } as const;
const ignored = { outcome: "ignored" } as const;
const park = (reason: string) => ({ outcome: "park", reason }) as const;

/** Who records what a provider did on its own: an admin-level system actor (not audited as a person). */
const PROVIDER_ACTOR = { userId: "system:provider", role: "admin" as const };

/** Money refunded at the provider for a payment, cumulative (Stripe's `charge.amount_refunded`). */
export async function applyProviderRefundTotal(
  env: Env,
  fact: { paymentRef: string; orderId: string | null; refundedTotal: number; ref: string },
): Promise<ProviderEventOutcome> {
  const payment = await paymentByRef(env, fact.paymentRef, fact.orderId);
  if (!payment) return park("the payment is not recorded yet");
  const found = await findOrder(env, payment.orderId);
  if (!found) return park("the order is not recorded yet");
  if (found.order.status === "pending_payment") return park("the payment has not settled yet");
  // What we sent to the provider ourselves: card parts of our refunds, less what was only let go uncaptured.
  const ours = await getDb(onOrderShard(env, payment.orderId))
    .select({
      n: sql<number>`COALESCE(SUM(${refunds.amount} - ${refunds.walletAmount} - ${refunds.releasedAmount}), 0)`,
    })
    .from(refunds)
    .where(and(eq(refunds.orderId, payment.orderId), eq(refunds.status, "succeeded")))
    .get();
  const external = fact.refundedTotal - (ours?.n ?? 0);
  if (external <= 0) return ignored;
  const remaining = found.order.totalAmount - found.order.refundedAmount;
  const amount = Math.min(external, remaining);
  if (amount <= 0) return ignored;
  await createRefund(
    env,
    PROVIDER_ACTOR,
    { order_id: payment.orderId, amount, reason: "refunded at the payment provider" },
    {
      external: { ref: fact.ref },
      audited: false,
      allowStatuses: ["paid", "shipped", "delivered", "partially_refunded"],
    },
  );
  log("warn", "refund made at the provider recorded", { order_id: payment.orderId, amount });
  return applied;
}

/**
 * One refund's state at the provider. A refund we issued that the provider later fails (a closed
 * card) goes back to the buyer as store credit, so the money is never lost, and the refund says failed.
 */
export async function applyProviderRefundState(
  env: Env,
  fact: { refundRef: string; paymentRef: string; orderId: string | null; status: "succeeded" | "pending" | "failed" },
): Promise<ProviderEventOutcome> {
  const payment = await paymentByRef(env, fact.paymentRef, fact.orderId);
  if (!payment) return park("the payment is not recorded yet");
  const db = getDb(onOrderShard(env, payment.orderId));
  const row = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.orderId, payment.orderId), eq(refunds.transactionRef, fact.refundRef)))
    .get();
  // Our own refund's row is written just after the provider answers: its event may come first.
  if (!row) return fact.status === "failed" ? park("the refund is not recorded yet") : ignored;
  if (fact.status !== "failed" || row.status !== "succeeded") return ignored;
  const card = row.amount - row.walletAmount - row.releasedAmount;
  const moved = await db
    .update(refunds)
    .set({ status: "failed", updatedAt: new Date().toISOString() })
    .where(and(eq(refunds.id, row.id), eq(refunds.status, "succeeded")))
    .returning({ id: refunds.id });
  if (moved.length === 0) return ignored;
  if (card > 0) await wallet.credit(env, row.userId, card, "refund_credit", `refund-failed:${row.id}`);
  log("warn", "a refund failed at the provider; given as store credit", { refund_id: row.id, amount: card });
  return applied;
}

/** A dispute (chargeback) opened or closed at the provider: the ledger freezes and gives back through events. */
export async function applyProviderDispute(
  env: Env,
  fact: {
    disputeRef: string;
    paymentRef: string;
    orderId: string | null;
    amount: number;
    currency: string;
    reason: string;
    phase: "opened" | "won" | "lost";
  },
): Promise<ProviderEventOutcome> {
  const payment = await paymentByRef(env, fact.paymentRef, fact.orderId);
  if (!payment) return park("the payment is not recorded yet");
  const home = onOrderShard(env, payment.orderId);
  const open =
    fact.phase === "opened"
      ? null
      : await getDb(home).select().from(paymentDisputes).where(eq(paymentDisputes.id, fact.disputeRef)).get();
  // Closed before we saw it open (out of order): wait for the opening.
  if (fact.phase !== "opened" && !open) return park("the dispute's opening has not arrived yet");
  const event = buildEvent("payment.disputed", {
    order_id: payment.orderId,
    dispute_id: fact.disputeRef,
    amount: open?.amount ?? fact.amount,
    currency: fact.currency,
    phase: fact.phase,
  });
  const now = new Date().toISOString();
  const change =
    fact.phase === "opened"
      ? home.DB.prepare(
          "INSERT OR IGNORE INTO payment_disputes (id, order_id, payment_id, amount, currency, reason, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
        ).bind(
          fact.disputeRef,
          payment.orderId,
          payment.id,
          fact.amount,
          fact.currency,
          fact.reason.slice(0, 100),
          now,
          now,
        )
      : home.DB.prepare("UPDATE payment_disputes SET status = ?, updated_at = ? WHERE id = ? AND status = 'open'").bind(
          fact.phase,
          now,
          fact.disputeRef,
        );
  // The event only when the dispute moved now (a replay changes nothing and sends nothing).
  const [moved] = await home.DB.batch([
    change,
    outboxFromSelect(
      home.DB,
      "SELECT ?, ?, ?, ? WHERE changes() > 0",
      event.id,
      event.type,
      JSON.stringify(event),
      event.occurred_at,
    ),
  ]);
  if ((moved.meta.changes ?? 0) === 0) return ignored;
  await dispatchEvents(home, [event]);
  return applied;
}

/** One refund made at the provider (PayPal's PAYMENT.CAPTURE.REFUNDED): recorded unless it is one of ours. */
export async function applyProviderRefund(
  env: Env,
  fact: { paymentRef: string; refundRef: string; amount: string; currency: string },
): Promise<ProviderEventOutcome> {
  const payment = await paymentByRef(env, fact.paymentRef, null);
  if (!payment) return park("the payment is not recorded yet");
  const ours = await getDb(onOrderShard(env, payment.orderId))
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.orderId, payment.orderId), eq(refunds.transactionRef, fact.refundRef)))
    .get();
  if (ours) return ignored;
  const found = await findOrder(env, payment.orderId);
  if (!found) return park("the order is not recorded yet");
  if (found.order.status === "pending_payment") return park("the payment has not settled yet");
  const digits = MINOR_UNITS[fact.currency.toLowerCase() as keyof typeof MINOR_UNITS] ?? 2;
  const amount = Math.min(
    Math.round(Number(fact.amount) * 10 ** digits),
    found.order.totalAmount - found.order.refundedAmount,
  );
  if (!(amount > 0)) return ignored;
  await createRefund(
    env,
    PROVIDER_ACTOR,
    { order_id: payment.orderId, amount, reason: "refunded at the payment provider" },
    {
      external: { ref: fact.refundRef },
      audited: false,
      allowStatuses: ["paid", "shipped", "delivered", "partially_refunded"],
    },
  );
  return applied;
}

import { and, desc, eq, lt, sql } from "drizzle-orm";
import { type Db, getDb, insertStatement } from "../db/client";
import { eachOrderShard, onOrderShard } from "../db/shards";
import { payments, webhookEvents } from "../db/schema/payments";

/**
 * The payments domain's records: each payment attempt of an order (in the order's own database)
 * and the provider webhook events already applied. Every read and write of these tables is here;
 * it imports no other domain, so orders, checkout and refunds all reach it without a cycle.
 */

export type PaymentRow = typeof payments.$inferSelect;

/** A line's capture under an authorise-then-capture payment (payments/capture.ts). */
export type CaptureState = "authorized" | "captured" | "released";

/** A line's capture state under its order's payment (null: nothing was paid by card yet). */
export function lineCaptureState(
  payment: PaymentRow | null | undefined,
  item: { id: string; status: string },
): CaptureState | null {
  if (payment?.status !== "succeeded") return null;
  if (payment.captureMethod === "automatic") return "captured";
  if (payment.captures.some((c) => c.item_ids.includes(item.id))) return "captured";
  if (item.status === "cancelled" || item.status === "refunded") return "released";
  return "authorized";
}

/** The order's latest payment attempt (ids are time-sortable). */
export async function latestPayment(env: Pick<Env, "DB">, orderId: string): Promise<PaymentRow | undefined> {
  return getDb(onOrderShard(env, orderId))
    .select()
    .from(payments)
    .where(eq(payments.orderId, orderId))
    .orderBy(desc(payments.id))
    .limit(1)
    .get();
}

/** The order's most recently updated attempt: what a pay call answers with. */
export async function lastUpdatedPayment(env: Pick<Env, "DB">, orderId: string): Promise<PaymentRow | undefined> {
  return getDb(onOrderShard(env, orderId))
    .select()
    .from(payments)
    .where(eq(payments.orderId, orderId))
    .orderBy(desc(payments.updatedAt), desc(payments.id))
    .limit(1)
    .get();
}

/** The attempt's row, for a drizzle batch on the order's database. */
export function paymentRowInsert(db: Db, row: PaymentRow) {
  return db.insert(payments).values(row);
}

/** The attempt's row as a plain statement for another module's batch (ignored when already written). */
export function paymentRowStatement(env: Pick<Env, "DB">, row: PaymentRow): D1PreparedStatement {
  return insertStatement(onOrderShard(env, row.orderId).DB, payments, [row], "ignore");
}

/** Writes the attempt's row now (ignored when already written). */
export async function recordPayment(env: Pick<Env, "DB">, row: PaymentRow): Promise<void> {
  await getDb(onOrderShard(env, row.orderId)).insert(payments).values(row).onConflictDoNothing();
}

export async function setPaymentStatus(
  env: Pick<Env, "DB">,
  payment: Pick<PaymentRow, "id" | "orderId">,
  set: { status: PaymentRow["status"]; failureCode?: string },
): Promise<void> {
  await getDb(onOrderShard(env, payment.orderId))
    .update(payments)
    .set({
      ...set,
      // An automatic charge is captured when it succeeds; a manual one waits for its shipments.
      ...(set.status === "succeeded"
        ? {
            capturedAmount: sql`CASE WHEN ${payments.captureMethod} = 'automatic' THEN ${payments.amount} ELSE ${payments.capturedAmount} END`,
          }
        : {}),
      updatedAt: new Date().toISOString(),
    })
    .where(eq(payments.id, payment.id));
}

/**
 * Records one capture of an authorisation (capture.ts), once: a capture already listed (a
 * replayed shipment) changes nothing, and neither does one past what is left.
 */
export function recordCaptureStatement(
  d1: D1Database,
  paymentId: string,
  capture: PaymentRow["captures"][number],
): D1PreparedStatement {
  return d1
    .prepare(
      `UPDATE payments SET captured_amount = captured_amount + ?, captures = json_insert(captures, '$[#]', json(?)), updated_at = ?
       WHERE id = ? AND captured_amount + released_amount + ? <= amount
       AND NOT EXISTS (SELECT 1 FROM json_each(payments.captures) WHERE json_extract(value, '$.id') = ?)`,
    )
    .bind(capture.amount, JSON.stringify(capture), new Date().toISOString(), paymentId, capture.amount, capture.id);
}

/** Lets go of part of an authorisation (cancelled lines), never more than is uncaptured. */
export function recordReleaseStatement(d1: D1Database, paymentId: string, amount: number): D1PreparedStatement {
  return d1
    .prepare(
      `UPDATE payments SET released_amount = released_amount + ?, updated_at = ?
       WHERE id = ? AND captured_amount + released_amount + ? <= amount`,
    )
    .bind(amount, new Date().toISOString(), paymentId, amount);
}

/** Manual authorisations not yet settled that lapse before `before` (the expiry cron), oldest first, in every order database. */
export async function expiringAuthorisations(
  env: Pick<Env, "DB">,
  before: string,
  limit: number,
): Promise<PaymentRow[]> {
  const out: PaymentRow[] = [];
  for (const e of eachOrderShard(env)) {
    const rows = await getDb(e)
      .select()
      .from(payments)
      .where(
        and(
          eq(payments.captureMethod, "manual"),
          eq(payments.status, "succeeded"),
          lt(payments.authorizedUntil, before),
          sql`${payments.capturedAmount} + ${payments.releasedAmount} < ${payments.amount}`,
        ),
      )
      .orderBy(payments.authorizedUntil)
      .limit(limit)
      .all();
    out.push(...rows);
  }
  return out.slice(0, limit);
}

/** The attempt a provider reference names: in the order's database when its id is known, else in each. */
export async function paymentByRef(
  env: Pick<Env, "DB">,
  ref: string,
  orderId: string | null,
): Promise<PaymentRow | undefined> {
  for (const e of orderId ? [onOrderShard(env, orderId)] : eachOrderShard(env)) {
    const found = await getDb(e).select().from(payments).where(eq(payments.transactionRef, ref)).get();
    if (found) return found;
  }
  return undefined;
}

/** Claims a provider webhook event once: false when it was applied (or is being applied) already. */
export async function firstDelivery(env: Pick<Env, "DB">, id: string, type: string): Promise<boolean> {
  const first = await getDb(env)
    .insert(webhookEvents)
    .values({ id, type })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  return first.length > 0;
}

/** Forgets a claimed event that was not applied, so the provider's retry can apply it. */
export async function forgetDelivery(env: Pick<Env, "DB">, id: string): Promise<void> {
  await getDb(env).delete(webhookEvents).where(eq(webhookEvents.id, id));
}

import { desc, eq } from "drizzle-orm";
import { type Db, getDb, insertStatement } from "../db/client";
import { eachOrderShard, onOrderShard } from "../db/shards";
import { payments, webhookEvents } from "../db/schema/payments";

/**
 * The payments domain's records: each payment attempt of an order (in the order's own database)
 * and the provider webhook events already applied. Every read and write of these tables is here;
 * it imports no other domain, so orders, checkout and refunds all reach it without a cycle.
 */

export type PaymentRow = typeof payments.$inferSelect;

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
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(payments.id, payment.id));
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

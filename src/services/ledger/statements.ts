import { and, desc, eq, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { ledgerEntries, payouts } from "../../db/schema/ledger";
import { decodeCursor, toPage } from "../../lib/pagination";
import { COMMISSION, sellerAccount } from "./accounts";

/** What a seller and the platform read: balances, entries, payouts, monthly statements, revenue. */

/** pending: credited, not yet available; available: may be paid out; paid_out: sent. */
export async function sellerBalance(env: Pick<Env, "DB">, sellerId: string, now = new Date().toISOString()) {
  const row = await env.DB.prepare(
    `SELECT
       COALESCE(SUM(CASE WHEN kind != 'payout' AND (available_at IS NULL OR available_at > ?2) THEN amount END), 0) AS pending,
       COALESCE(SUM(CASE WHEN kind = 'payout' OR (available_at IS NOT NULL AND available_at <= ?2) THEN amount END), 0) AS available,
       COALESCE(-SUM(CASE WHEN kind = 'payout' THEN amount END), 0) AS paid_out
     FROM ledger_entries WHERE account = ?1`,
  )
    .bind(sellerAccount(sellerId), now)
    .first<{ pending: number; available: number; paid_out: number }>();
  return { currency: "usd", pending: row?.pending ?? 0, available: row?.available ?? 0, paid_out: row?.paid_out ?? 0 };
}

export async function sellerLedger(env: Pick<Env, "DB">, sellerId: string, limit: number, cursor?: string) {
  const where = [eq(ledgerEntries.account, sellerAccount(sellerId))];
  if (cursor) where.push(lt(ledgerEntries.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(ledgerEntries)
    .where(and(...where))
    .orderBy(desc(ledgerEntries.id))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.id]);
  return {
    data: page.data.map((e) => ({
      entry_id: e.id,
      kind: e.kind,
      amount: e.amount,
      currency: e.currency,
      order_id: e.orderId,
      order_item_id: e.orderItemId,
      payout_id: e.payoutId,
      available_at: e.availableAt,
      created_at: e.createdAt,
    })),
    next_cursor: page.next_cursor,
  };
}

export async function sellerPayouts(env: Pick<Env, "DB">, sellerId: string, limit: number, cursor?: string) {
  const where = [eq(payouts.sellerId, sellerId)];
  if (cursor) where.push(lt(payouts.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(payouts)
    .where(and(...where))
    .orderBy(desc(payouts.id))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.id]);
  return {
    data: page.data.map((p) => ({
      payout_id: p.id,
      amount: p.amount,
      currency: p.currency,
      status: p.status,
      created_at: p.createdAt,
    })),
    next_cursor: page.next_cursor,
  };
}

/** A month of a seller's ledger as CSV rows (the statement). `month`: YYYY-MM. */
export async function monthlyStatement(env: Pick<Env, "DB">, sellerId: string, month: string) {
  const from = `${month}-01T00:00:00.000Z`;
  const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString();
  const rows = await env.DB.prepare(
    "SELECT id, kind, amount, currency, order_id, order_item_id, payout_id, created_at FROM ledger_entries WHERE account = ? AND created_at >= ? AND created_at < ? ORDER BY id",
  )
    .bind(sellerAccount(sellerId), from, next)
    .all<Record<string, unknown>>();
  return rows.results.map((r) => ({
    entry_id: r.id,
    kind: r.kind,
    amount: r.amount,
    currency: r.currency,
    order_id: r.order_id,
    order_item_id: r.order_item_id,
    payout_id: r.payout_id,
    created_at: r.created_at,
  }));
}

/** The platform's revenue: commissions net of what refunds gave back, over a period. */
export async function platformRevenue(env: Pick<Env, "DB">, from: string, to: string) {
  const row = await env.DB.prepare(
    "SELECT COALESCE(SUM(amount), 0) AS commissions, COUNT(DISTINCT order_id) AS orders FROM ledger_entries WHERE account = ?1 AND created_at >= ?2 AND created_at < ?3",
  )
    .bind(COMMISSION, from, to)
    .first<{ commissions: number; orders: number }>();
  return { currency: "usd", from, to, commissions: row?.commissions ?? 0, orders: row?.orders ?? 0 };
}

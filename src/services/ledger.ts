import { toUsd } from "../lib/currency";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import { getDb, rowsPerInsert } from "../db/client";
import { commissionRules, ledgerEntries, payouts, sellerPayoutSettings } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { findProducts } from "./catalog/product-reads";
import type { DomainEvent } from "./events";
import { findOrder, shippingPaidBySeller, type OrderItemRow, type OrderRow } from "./orders";

/**
 * The marketplace's money: a double-entry ledger (every posting sums to zero), fed by order
 * events, so a replayed event posts nothing twice (each entry's `ref` is unique).
 *
 * - order.paid: per line, the buyer's money enters the platform's clearing account (−gross), the
 *   seller is credited the line less the platform's commission, and the commission is the
 *   platform's. The seller's credit is pending.
 * - order.delivered: the seller's credits (and refunds) of that order become available after the
 *   holding period. A refund before delivery stays beside its sale, so the two net out in pending.
 * - order.refunded: the refund is taken back from the lines it was for (their seller and the
 *   commission, in proportion), and leaves clearing.
 * - payouts (daily cron): a seller's available balance above the minimum is paid out.
 *
 * Commission: a percentage per category, inherited down the tree (the deepest rule on the
 * product's path), plus an optional fixed fee per line, clamped to a minimum and maximum per line.
 * Without a rule: 10%.
 */
export const DEFAULT_COMMISSION_BP = 1_000;
export const HOLDING_PERIOD_DAYS = 7;
export const MIN_PAYOUT = 1_000;
const CLEARING = "platform:clearing";
const COMMISSION = "platform:commission";
/** Sales tax collected, owed to the jurisdictions. */
const TAX = "platform:tax";
const sellerAccount = (id: string) => `seller:${id}`;

type Entry = typeof ledgerEntries.$inferInsert;
type Rule = typeof commissionRules.$inferSelect;

const gross = (i: OrderItemRow) => i.price * i.quantity - i.discount;

/**
 * The ledger is kept in the sellers' settlement currency (usd): an order charged in another
 * currency is posted at the rate it was priced at, and the rate is recorded on each entry.
 */
function settlement(order: Pick<OrderRow, "currency" | "fxRateMicro">) {
  const foreign = order.currency !== "usd";
  return {
    usd: (amount: number) => toUsd(amount, order.currency, order.fxRateMicro ?? 1_000_000),
    base: { currency: "usd", fxRateMicro: foreign ? (order.fxRateMicro ?? null) : null },
  };
}

function commissionOf(amount: number, rule: Pick<Rule, "percentBp" | "fixed" | "min" | "max">): number {
  let c = Math.round((amount * rule.percentBp) / 10_000) + rule.fixed;
  if (rule.min !== null) c = Math.max(c, rule.min);
  if (rule.max !== null) c = Math.min(c, rule.max);
  return Math.max(0, Math.min(c, amount));
}

async function rulesFor(env: Pick<Env, "DB">, productIds: string[]): Promise<Map<string, Rule>> {
  const rules = new Map((await getDb(env).select().from(commissionRules).all()).map((r) => [r.categoryId, r]));
  const out = new Map<string, Rule>();
  const fallback: Rule = {
    categoryId: "*",
    percentBp: DEFAULT_COMMISSION_BP,
    fixed: 0,
    min: null,
    max: null,
    updatedAt: "",
  };
  for (const p of await findProducts(env, productIds)) {
    // The path lists the ancestors root first: the deepest one with a rule wins.
    const path = p.categoryPath.split("/").filter(Boolean);
    let rule = fallback;
    for (const id of path) rule = rules.get(id) ?? rule;
    out.set(p.id, rule);
  }
  return out;
}

async function post(env: Pick<Env, "DB">, entries: Entry[]): Promise<void> {
  if (entries.length === 0) return;
  // Invariant: a posting sums to zero.
  if (entries.reduce((n, e) => n + e.amount, 0) !== 0) throw new Error("ledger posting does not balance");
  const db = getDb(env);
  const statements = [];
  const per = rowsPerInsert(ledgerEntries);
  for (let i = 0; i < entries.length; i += per)
    statements.push(
      db
        .insert(ledgerEntries)
        .values(entries.slice(i, i + per))
        .onConflictDoNothing(),
    );
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
}

/** What the buyer paid for each seller's shipping (orders.ts), in usd. */
function shippingPaid(
  order: OrderRow,
  items: OrderItemRow[],
  usd: (amount: number) => number,
): { seller_id: string; paid: number }[] {
  return shippingPaidBySeller(order, items).map((l) => ({ seller_id: l.seller_id, paid: usd(l.paid) }));
}

/** The events consumer's "ledger" subscriber. */
export async function postOrderEvent(env: Pick<Env, "DB">, event: DomainEvent): Promise<void> {
  const data = event.data as {
    order_id: string;
    refund_amount?: number;
    refund_lines?: string[];
    refund_tax?: { added: number; included: number };
    refund_shipping?: { seller_id: string; amount: number }[];
  };
  const found = await findOrder(env, data.order_id);
  if (!found) return;
  const { order, items } = found;
  const fx = settlement(order);
  if (event.type === "order.paid") {
    const rules = await rulesFor(
      env,
      items.map((i) => i.productId),
    );
    const entries: Entry[] = [];
    for (const i of items) {
      const g = fx.usd(gross(i));
      const c = commissionOf(
        g,
        rules.get(i.productId) ?? { percentBp: DEFAULT_COMMISSION_BP, fixed: 0, min: null, max: null },
      );
      const base = { ...fx.base, orderId: order.id, orderItemId: i.id };
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "capture",
          amount: -g,
          ref: `capture:${i.id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(i.sellerId),
          sellerId: i.sellerId,
          kind: "sale",
          amount: g - c,
          ref: `sale:${i.id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: COMMISSION,
          sellerId: i.sellerId,
          kind: "commission",
          amount: c,
          ref: `commission:${i.id}`,
          ...base,
        },
      );
    }
    // Each seller's shipping (what the buyer paid for it, net of a free-shipping coupon's share) is the seller's;
    // tax added on top is the platform's to remit (a marketplace facilitator).
    const base = { ...fx.base, orderId: order.id, orderItemId: null };
    for (const s of shippingPaid(order, items, fx.usd)) {
      const paid = s.paid;
      if (paid <= 0) continue;
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "capture",
          amount: -paid,
          ref: `capture:shipping:${order.id}:${s.seller_id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(s.seller_id),
          sellerId: s.seller_id,
          kind: "shipping",
          amount: paid,
          ref: `shipping:${order.id}:${s.seller_id}`,
          ...base,
        },
      );
    }
    if (order.taxTotal > 0) {
      const tax = fx.usd(order.taxTotal);
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "capture",
          amount: -tax,
          ref: `capture:tax:${order.id}`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: TAX,
          sellerId: null,
          kind: "tax",
          amount: tax,
          ref: `tax:${order.id}`,
          ...base,
        },
      );
    }
    await post(env, entries);
    return;
  }
  if (event.type === "order.delivered") {
    const delivered = Date.parse(order.deliveredAt ?? new Date().toISOString());
    for (const sellerId of new Set(items.map((i) => i.sellerId))) {
      const { holdDays } = await sellerSettings(env, sellerId);
      await getDb(env)
        .update(ledgerEntries)
        .set({ availableAt: new Date(delivered + holdDays * 86_400_000).toISOString() })
        .where(
          and(
            eq(ledgerEntries.orderId, order.id),
            eq(ledgerEntries.account, sellerAccount(sellerId)),
            sql`${ledgerEntries.kind} IN ('sale', 'refund', 'shipping')`,
            isNull(ledgerEntries.availableAt),
          ),
        );
    }
    return;
  }
  if (event.type === "order.refunded" && data.refund_amount) {
    const lines = data.refund_lines ? items.filter((i) => data.refund_lines!.includes(i.id)) : items;
    const sales = await getDb(env)
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.orderId, order.id), sql`${ledgerEntries.kind} IN ('sale', 'commission', 'shipping')`))
      .all();
    const g = (i: OrderItemRow) => fx.usd(gross(i));
    const total = lines.reduce((n, i) => n + g(i), 0);
    if (total === 0) return;
    const entries: Entry[] = [];
    let refund = fx.usd(data.refund_amount);
    const base = { ...fx.base, orderId: order.id, orderItemId: null };
    // A refund returns the tax inside it to the buyer: the tax account gives back what it was to remit.
    // Events since refund-tax.ts say how much; older ones (whole-order refunds only) in proportion.
    const tax = fx.usd(order.taxTotal ?? 0);
    const shipping = shippingPaid(order, items, fx.usd);
    const shippingTotal = data.refund_lines ? 0 : shipping.reduce((n, l) => n + l.paid, 0);
    const whole = total + shippingTotal + tax;
    const taxPart = data.refund_tax
      ? fx.usd(data.refund_tax.added)
      : data.refund_lines || !whole
        ? 0
        : Math.floor((refund * tax) / whole);
    if (taxPart > 0) {
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: taxPart,
          ref: `refund:${event.id}:tax:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: TAX,
          sellerId: null,
          kind: "tax",
          amount: -taxPart,
          ref: `refund:${event.id}:tax`,
          ...base,
        },
      );
    }
    // The sellers give back shipping the refund returned: a whole-order refund returns it in proportion, as
    // the buyer paid it; a cancel of a seller's last unshipped lines says so (`refund_shipping`).
    const shipBack: { seller_id: string; part: number }[] = [];
    if (!data.refund_lines) {
      const shippingPart = whole ? Math.floor((refund * shippingTotal) / whole) : 0;
      let shipLeft = shippingPart;
      shipping
        .filter((l) => l.paid > 0)
        .forEach((l, n, list) => {
          const part = n === list.length - 1 ? shipLeft : Math.floor((shippingPart * l.paid) / shippingTotal);
          shipLeft -= part;
          shipBack.push({ seller_id: l.seller_id, part });
        });
    } else {
      for (const s of data.refund_shipping ?? []) shipBack.push({ seller_id: s.seller_id, part: fx.usd(s.amount) });
    }
    for (const { seller_id, part } of shipBack) {
      if (part <= 0) continue;
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: part,
          ref: `refund:${event.id}:shipping:${seller_id}:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(seller_id),
          sellerId: seller_id,
          kind: "shipping",
          amount: -part,
          ref: `refund:${event.id}:shipping:${seller_id}`,
          // Released with the shipping it takes back (pending until delivery, or already available).
          availableAt:
            sales.find((e) => e.kind === "shipping" && e.sellerId === seller_id && e.amount > 0)?.availableAt ?? null,
          ...base,
        },
      );
      refund -= part;
    }
    refund -= taxPart;
    let left = refund;
    lines.forEach((i, n) => {
      // The refund is spread over its lines by their amounts (the last takes the rounding).
      const share = n === lines.length - 1 ? left : Math.round((refund * g(i)) / total);
      left -= share;
      const sale = sales.find((e) => e.orderItemId === i.id && e.kind === "sale");
      const commission = sales.find((e) => e.orderItemId === i.id && e.kind === "commission")?.amount ?? 0;
      const fromCommission = g(i) ? Math.round((share * commission) / g(i)) : 0;
      const base = { ...fx.base, orderId: order.id, orderItemId: i.id };
      entries.push(
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          sellerId: null,
          kind: "refund",
          amount: share,
          ref: `refund:${event.id}:${i.id}:clearing`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(i.sellerId),
          sellerId: i.sellerId,
          kind: "refund",
          amount: -(share - fromCommission),
          ref: `refund:${event.id}:${i.id}:seller`,
          availableAt: sale?.availableAt ?? null,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: COMMISSION,
          sellerId: i.sellerId,
          kind: "commission",
          amount: -fromCommission,
          ref: `refund:${event.id}:${i.id}:commission`,
          ...base,
        },
      );
    });
    await post(env, entries);
  }
}

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

export interface CommissionRuleInput {
  category_id: string;
  percent: number;
  fixed?: number;
  min?: number | null;
  max?: number | null;
}

export async function listCommissionRules(env: Pick<Env, "DB">) {
  const rows = await getDb(env).select().from(commissionRules).all();
  return rows.map((r) => ({
    category_id: r.categoryId,
    percent: r.percentBp / 100,
    fixed: r.fixed,
    min: r.min,
    max: r.max,
  }));
}

/** Replaces the rule set (one per category). */
export async function setCommissionRules(env: Pick<Env, "DB">, rules: CommissionRuleInput[]) {
  for (const [n, r] of rules.entries()) {
    if (r.min != null && r.max != null && r.min > r.max) {
      throw new ApiError("validation_failed", "min is above max", {
        details: [{ field: `rules.${n}.min`, code: "range", message: "min > max" }],
      });
    }
  }
  const db = getDb(env);
  const statements = [
    db.delete(commissionRules),
    ...rules.map((r) =>
      db.insert(commissionRules).values({
        categoryId: r.category_id,
        percentBp: Math.round(r.percent * 100),
        fixed: r.fixed ?? 0,
        min: r.min ?? null,
        max: r.max ?? null,
      }),
    ),
  ];
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return listCommissionRules(env);
}

/**
 * Cron: pays out each seller's available balance at or above the minimum. The payout's ledger
 * entries post with it (the seller's account down, clearing down: the money leaves the platform);
 * the transfer is sent by `send` (the payment adapter). A failed transfer reverses its entries,
 * so the money is available again and the next run retries.
 */
export async function runPayouts(
  env: Pick<Env, "DB">,
  send: (p: {
    payoutId: string;
    sellerId: string;
    amount: number;
    destination: string | null;
  }) => Promise<{ ok: boolean; ref?: string }>,
  now = new Date().toISOString(),
  only?: string,
) {
  const due = await env.DB.prepare(
    `SELECT seller_id, SUM(amount) AS available FROM ledger_entries
     WHERE account LIKE 'seller:%' AND (kind = 'payout' OR (available_at IS NOT NULL AND available_at <= ?1))
       AND (?3 IS NULL OR seller_id = ?3)
     GROUP BY seller_id HAVING SUM(amount) >= ?2 LIMIT 50`,
  )
    .bind(now, MIN_PAYOUT, only ?? null)
    .all<{ seller_id: string; available: number }>();
  let paid = 0;
  const settings = new Map((await getDb(env).select().from(sellerPayoutSettings).all()).map((r) => [r.sellerId, r]));
  for (const s of due.results) {
    // An admin's hold keeps the money available and unpaid; the schedule says when the cron pays
    // (weekly: Mondays; manual: only when the seller asks, `only`).
    const mine = settings.get(s.seller_id);
    if (mine?.onHold) continue;
    const schedule = mine?.payoutSchedule ?? "daily";
    if (!only && (schedule === "manual" || (schedule === "weekly" && new Date(now).getUTCDay() !== 1))) continue;
    const payoutId = newId("payout");
    await getDb(env)
      .insert(payouts)
      .values({ id: payoutId, sellerId: s.seller_id, amount: s.available, status: "pending" });
    const base = { kind: "payout" as const, payoutId, sellerId: s.seller_id, currency: "usd" };
    await post(env, [
      {
        id: newId("ledgerEntry"),
        account: sellerAccount(s.seller_id),
        amount: -s.available,
        ref: `payout:${payoutId}:seller`,
        ...base,
      },
      { id: newId("ledgerEntry"), account: CLEARING, amount: s.available, ref: `payout:${payoutId}:clearing`, ...base },
    ]);
    const destination = settings.get(s.seller_id)?.payoutAccount ?? null;
    const result = await send({ payoutId, sellerId: s.seller_id, amount: s.available, destination }).catch(() => ({
      ok: false as const,
      ref: undefined,
    }));
    if (result.ok) {
      await getDb(env)
        .update(payouts)
        .set({ status: "paid", transferRef: result.ref ?? null, updatedAt: now })
        .where(eq(payouts.id, payoutId));
      paid++;
    } else {
      await post(env, [
        {
          id: newId("ledgerEntry"),
          account: sellerAccount(s.seller_id),
          amount: s.available,
          ref: `payout:${payoutId}:seller:reversed`,
          ...base,
        },
        {
          id: newId("ledgerEntry"),
          account: CLEARING,
          amount: -s.available,
          ref: `payout:${payoutId}:clearing:reversed`,
          ...base,
        },
      ]);
      await getDb(env).update(payouts).set({ status: "failed", updatedAt: now }).where(eq(payouts.id, payoutId));
    }
  }
  return paid;
}

/** Σ of every entry: zero at all times (the tests check it after each scenario). */
export async function ledgerSum(env: Pick<Env, "DB">): Promise<number> {
  return (await env.DB.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM ledger_entries").first<{ s: number }>())!.s;
}

/** A seller's connected payout account (Stripe Connect: acct_…). */
export async function setPayoutAccount(env: Pick<Env, "DB">, sellerId: string, account: string) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, payoutAccount: account })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { payoutAccount: account, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

/** An admin's payout hold on a seller (fraud review, a dispute): the balance stays available, unpaid. */
export async function setPayoutHold(env: Pick<Env, "DB">, sellerId: string, onHold: boolean) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, onHold })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { onHold, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

/** A seller's settings, with the platform's defaults where they set nothing. */
export async function sellerSettings(env: Pick<Env, "DB">, sellerId: string) {
  const row = await getDb(env)
    .select()
    .from(sellerPayoutSettings)
    .where(eq(sellerPayoutSettings.sellerId, sellerId))
    .get();
  return {
    holdDays: row?.holdDays ?? HOLDING_PERIOD_DAYS,
    payoutSchedule: row?.payoutSchedule ?? ("daily" as const),
    returnWindowDays: row?.returnWindowDays ?? 30,
    refundOnApprovalBelow: row?.refundOnApprovalBelow ?? null,
    payoutAccount: row?.payoutAccount ?? null,
    onHold: row?.onHold ?? false,
  };
}

export async function payoutSettings(env: Pick<Env, "DB">, sellerId: string) {
  const s = await sellerSettings(env, sellerId);
  return {
    seller_id: sellerId,
    payout_account: s.payoutAccount,
    on_hold: s.onHold,
    hold_days: s.holdDays,
    payout_schedule: s.payoutSchedule,
    return_window_days: s.returnWindowDays,
    refund_on_approval_below: s.refundOnApprovalBelow,
  };
}

/** What a seller sets for themselves: payout schedule, return window, refund on approval below an amount. */
export async function updateSellerSettings(
  env: Pick<Env, "DB">,
  sellerId: string,
  input: {
    payout_schedule?: "daily" | "weekly" | "manual";
    return_window_days?: number;
    refund_on_approval_below?: number | null;
  },
) {
  const set = {
    ...(input.payout_schedule !== undefined ? { payoutSchedule: input.payout_schedule } : {}),
    ...(input.return_window_days !== undefined ? { returnWindowDays: input.return_window_days } : {}),
    ...(input.refund_on_approval_below !== undefined ? { refundOnApprovalBelow: input.refund_on_approval_below } : {}),
  };
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, ...set })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { ...set, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
}

/** The holding period is the platform's to set per seller (an admin). */
export async function setHoldDays(env: Pick<Env, "DB">, sellerId: string, holdDays: number) {
  await getDb(env)
    .insert(sellerPayoutSettings)
    .values({ sellerId, holdDays })
    .onConflictDoUpdate({
      target: sellerPayoutSettings.sellerId,
      set: { holdDays, updatedAt: new Date().toISOString() },
    });
  return payoutSettings(env, sellerId);
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

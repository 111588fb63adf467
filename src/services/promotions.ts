import { and, count, desc, eq, inArray, lt } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../db/client";
import { couponRedemptions, coupons } from "../db/schema/promotions";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AuthContext } from "../types";
import { findCategory } from "./catalog/categories";

/**
 * Promotions: coupons and their budgets. The cart asks `evaluate` what a set of
 * codes is worth for its lines; checkout `redeem`s (atomically against the
 * total and per-customer limits) before charging and `unredeem`s if the charge
 * fails.
 */
export type CouponRow = typeof coupons.$inferSelect;

export interface PricedLine {
  product_id: string;
  /** The variant sold: a cart may hold two variants of one product as two lines. */
  variant_id?: string;
  seller_id: string;
  category_path: string;
  quantity: number;
  price: number;
}

export interface AppliedCoupon {
  code: string;
  kind: CouponRow["kind"];
  value: number;
  amount: number;
  combinable: boolean;
}

export interface Evaluation {
  discount: number;
  freeShipping: boolean;
  applied: AppliedCoupon[];
  /** Per line (its variant id, or product id without one; see lineKey), its share of the discount (for order lines and partial refunds). */
  lineDiscounts: Record<string, number>;
}

function toCoupon(row: CouponRow) {
  return {
    coupon_id: row.id,
    code: row.code,
    kind: row.kind,
    value: row.value,
    min_subtotal: row.minSubtotal,
    starts_at: row.startsAt,
    ends_at: row.endsAt,
    usage_limit: row.usageLimit,
    per_customer_limit: row.perCustomerLimit,
    times_redeemed: row.timesRedeemed,
    seller_id: row.sellerId,
    category_id: row.categoryId,
    combinable: row.combinable,
    active: row.active,
    created_at: row.createdAt,
  };
}

export const normalizeCode = (code: string) => code.trim().toUpperCase();

export async function findCouponByCode(env: Pick<Env, "DB">, code: string): Promise<CouponRow | undefined> {
  return getDb(env)
    .select()
    .from(coupons)
    .where(eq(coupons.code, normalizeCode(code)))
    .get();
}

/** The coupons with these codes, in the order given (that order decides how stacked discounts apply). */
export async function findCouponsByCodes(env: Pick<Env, "DB">, codes: string[]): Promise<CouponRow[]> {
  const wanted = codes.map(normalizeCode);
  if (wanted.length === 0) return [];
  const rows = await getDb(env).select().from(coupons).where(inArray(coupons.code, wanted)).all();
  const byCode = new Map(rows.map((r) => [r.code, r]));
  return wanted.flatMap((code) => byCode.get(code) ?? []);
}

export interface CreateCouponInput {
  code: string;
  kind: CouponRow["kind"];
  value: number;
  min_subtotal?: number;
  starts_at?: string | null;
  ends_at?: string | null;
  usage_limit?: number | null;
  per_customer_limit?: number | null;
  seller_id?: string | null;
  category_id?: string | null;
  combinable?: boolean;
}

/** Admins create any coupon; a seller's coupon is always scoped to that seller's products. */
export async function createCoupon(env: Pick<Env, "DB">, auth: AuthContext, input: CreateCouponInput) {
  if (input.kind === "percent" && (input.value < 1 || input.value > 100)) {
    throw new ApiError("validation_failed", "A percent coupon's value is 1..100", {
      details: [{ field: "value", code: "out_of_range", message: "1..100" }],
    });
  }
  if (input.starts_at && input.ends_at && input.ends_at <= input.starts_at) {
    throw new ApiError("validation_failed", "ends_at must be after starts_at", {
      details: [{ field: "ends_at", code: "before_start", message: "ends_at <= starts_at" }],
    });
  }
  if (input.category_id && !(await findCategory(env, input.category_id))) {
    throw new ApiError("validation_failed", "category_id names no category", {
      details: [{ field: "category_id", code: "not_found", message: "No such category" }],
    });
  }
  let sellerId = input.seller_id ?? null;
  if (auth.role !== "admin") {
    if (sellerId && sellerId !== auth.userId)
      throw new ApiError("forbidden", "Sellers create coupons for their own products only");
    sellerId = auth.userId;
  }
  try {
    const row = await getDb(env)
      .insert(coupons)
      .values({
        id: newId("coupon"),
        code: normalizeCode(input.code),
        kind: input.kind,
        value: input.kind === "free_shipping" ? 0 : input.value,
        minSubtotal: input.min_subtotal ?? 0,
        startsAt: input.starts_at ?? null,
        endsAt: input.ends_at ?? null,
        usageLimit: input.usage_limit ?? null,
        perCustomerLimit: input.per_customer_limit ?? null,
        sellerId,
        categoryId: input.category_id ?? null,
        combinable: input.combinable ?? false,
        createdBy: auth.userId,
      })
      .returning()
      .get();
    return toCoupon(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError("conflict", "A coupon with this code exists");
    throw err;
  }
}

export async function listCoupons(env: Pick<Env, "DB">, auth: AuthContext, limit: number, cursor?: string) {
  const where = [];
  if (auth.role !== "admin") where.push(eq(coupons.createdBy, auth.userId));
  if (cursor) where.push(lt(coupons.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(coupons)
    .where(and(...where))
    .orderBy(desc(coupons.id))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.id]);
  return { data: page.data.map(toCoupon), next_cursor: page.next_cursor };
}

async function usedBy(env: Pick<Env, "DB">, couponId: string, userId: string): Promise<number> {
  const row = await getDb(env)
    .select({ n: count() })
    .from(couponRedemptions)
    .where(and(eq(couponRedemptions.couponId, couponId), eq(couponRedemptions.userId, userId)))
    .get();
  return row?.n ?? 0;
}

async function eligibleLines(env: Pick<Env, "DB">, c: CouponRow, lines: PricedLine[]): Promise<PricedLine[]> {
  let out = lines;
  if (c.sellerId) out = out.filter((l) => l.seller_id === c.sellerId);
  if (c.categoryId) {
    const cat = await findCategory(env, c.categoryId);
    out = cat ? out.filter((l) => l.category_path.startsWith(cat.path)) : [];
  }
  return out;
}

/** What a line's discount share is filed under. */
export const lineKey = (l: { product_id: string; variant_id?: string }) => l.variant_id ?? l.product_id;

/** Why a coupon cannot apply right now, or null when it can. */
export async function whyNotApplicable(
  env: Pick<Env, "DB">,
  c: CouponRow,
  lines: PricedLine[],
  userId: string | null,
): Promise<string | null> {
  return (await check(env, c, lines, userId)).reason;
}

/** The reason a coupon cannot apply (or null), with the lines it covers, so callers do not look them up twice. */
async function check(
  env: Pick<Env, "DB">,
  c: CouponRow,
  lines: PricedLine[],
  userId: string | null,
): Promise<{ reason: string | null; eligible: PricedLine[] }> {
  const iso = new Date().toISOString();
  const no = (reason: string) => ({ reason, eligible: [] });
  if (!c.active) return no("This coupon is no longer active");
  if (c.startsAt && iso < c.startsAt) return no("This coupon is not valid yet");
  if (c.endsAt && iso >= c.endsAt) return no("This coupon has expired");
  if (c.usageLimit !== null && c.timesRedeemed >= c.usageLimit) return no("This coupon has been used up");
  if (userId && c.perCustomerLimit !== null && (await usedBy(env, c.id, userId)) >= c.perCustomerLimit) {
    return no("You have already used this coupon");
  }
  const eligible = await eligibleLines(env, c, lines);
  if (eligible.length === 0) return no("No item in the cart qualifies for this coupon");
  const subtotal = eligible.reduce((s, l) => s + l.price * l.quantity, 0);
  if (subtotal < c.minSubtotal) return no(`This coupon needs a qualifying subtotal of at least ${c.minSubtotal}`);
  return { reason: null, eligible };
}

/** Stacking: one coupon per cart unless every coupon in it is combinable. */
export function stackingConflict(existing: CouponRow[], next: CouponRow): string | null {
  if (existing.some((c) => c.id === next.id)) return null;
  if (existing.length === 0) return null;
  if (!next.combinable || existing.some((c) => !c.combinable))
    return "Only one coupon per cart unless both are combinable";
  return null;
}

/**
 * What the coupons are worth on these lines. Coupons that no longer apply are
 * skipped (and reported), never an error here: the cart shows them, checkout
 * re-checks. Discounts never exceed the qualifying subtotal.
 */
export async function evaluate(
  env: Pick<Env, "DB">,
  codes: string[],
  lines: PricedLine[],
  userId: string | null,
): Promise<Evaluation & { rejected: { code: string; reason: string }[]; coupons: CouponRow[] }> {
  const rows = await findCouponsByCodes(env, codes);
  const lineDiscounts: Record<string, number> = {};
  const remaining = new Map(lines.map((l) => [lineKey(l), l.price * l.quantity]));
  const applied: AppliedCoupon[] = [];
  const rejected: { code: string; reason: string }[] = [];
  let freeShipping = false;
  for (const c of rows) {
    const { reason, eligible } = await check(env, c, lines, userId);
    if (reason) {
      rejected.push({ code: c.code, reason });
      continue;
    }
    const base = eligible.reduce((s, l) => s + (remaining.get(lineKey(l)) ?? 0), 0);
    let amount = 0;
    if (c.kind === "percent") amount = Math.floor((base * c.value) / 100);
    else if (c.kind === "fixed") amount = Math.min(c.value, base);
    else freeShipping = true;
    // Spread the amount over eligible lines in proportion (last line takes the rounding).
    let left = amount;
    eligible.forEach((l, i) => {
      const lineBase = remaining.get(lineKey(l)) ?? 0;
      const share = i === eligible.length - 1 ? left : base > 0 ? Math.floor((amount * lineBase) / base) : 0;
      const take = Math.min(share, lineBase, left);
      left -= take;
      remaining.set(lineKey(l), lineBase - take);
      lineDiscounts[lineKey(l)] = (lineDiscounts[lineKey(l)] ?? 0) + take;
    });
    applied.push({ code: c.code, kind: c.kind, value: c.value, amount: amount - left, combinable: c.combinable });
  }
  for (const code of codes)
    if (!rows.some((r) => r.code === normalizeCode(code))) rejected.push({ code, reason: "No such coupon" });
  const discount = applied.reduce((s, a) => s + a.amount, 0);
  return { discount, freeShipping, applied, lineDiscounts, rejected, coupons: rows };
}

/**
 * Takes one use of the coupon for this order, atomically against both limits:
 * the conditional insert and the counter update run in one D1 batch (one
 * transaction on the single writer), so 50 racing checkouts of a 10-use coupon
 * redeem exactly 10. Idempotent per (coupon, order). Returns false when a limit
 * is reached.
 */
export async function redeem(
  env: Pick<Env, "DB">,
  couponId: string,
  orderId: string,
  userId: string,
  amount: number,
): Promise<boolean> {
  const db = getDb(env);
  const existing = await db
    .select({ orderId: couponRedemptions.orderId })
    .from(couponRedemptions)
    .where(and(eq(couponRedemptions.couponId, couponId), eq(couponRedemptions.orderId, orderId)))
    .get();
  if (existing) return true;
  const [insert] = await env.DB.batch([
    env.DB.prepare(
      `INSERT OR IGNORE INTO coupon_redemptions (coupon_id, order_id, user_id, amount)
       SELECT c.id, ?2, ?3, ?4 FROM coupons c
       WHERE c.id = ?1
         AND (c.usage_limit IS NULL OR (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id) < c.usage_limit)
         AND (c.per_customer_limit IS NULL OR (SELECT COUNT(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.user_id = ?3) < c.per_customer_limit)`,
    ).bind(couponId, orderId, userId, amount),
    env.DB.prepare(
      "UPDATE coupons SET times_redeemed = (SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ?1) WHERE id = ?1",
    ).bind(couponId),
  ]);
  return (insert.meta.changes ?? 0) > 0;
}

/** Gives a use back (the charge failed or the order was cancelled). */
export async function unredeem(env: Pick<Env, "DB">, couponId: string, orderId: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM coupon_redemptions WHERE coupon_id = ? AND order_id = ?").bind(couponId, orderId),
    env.DB.prepare(
      "UPDATE coupons SET times_redeemed = (SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ?1) WHERE id = ?1",
    ).bind(couponId),
  ]);
}

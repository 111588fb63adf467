import { and, count, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { couponRedemptions } from "../../db/schema/promotions";
import { findCategory } from "../catalog/categories";
import { type CouponRow, normalizeCode, findCouponsByCodes } from "./coupons";

/** Whether coupons apply to a cart and what they take off: eligibility, per-user limits, stacking, and the discount per line. */

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

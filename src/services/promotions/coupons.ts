import { and, desc, eq, inArray, lt } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../../db/client";
import { coupons } from "../../db/schema/promotions";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import type { AuthContext } from "../../types";
import { findCategory } from "../catalog/categories";

/** Coupons: their rows and API shape, finding them by code, and creating and listing them (an admin's, or a seller's own). */

export type CouponRow = typeof coupons.$inferSelect;

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

import { and, asc, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../db/client";
import { reviews } from "../db/schema/reviews";
import { hasDeliveredItem } from "./orders";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import type { AuthContext } from "../types";
import { findProduct, invalidateProduct } from "./catalog/product-reads";
import { ratingProjectionStatements } from "./catalog/rating-projection";
import { dispatchEvents } from "./events";

/**
 * Reviews: only a buyer with a delivered order of the product may review it,
 * once. The product's rating_average and rating_count are recomputed from the
 * visible reviews in the same D1 batch as every change (one transaction on the
 * single writer), so 50 concurrent reviews leave an exact aggregate and a
 * hidden review leaves it at once.
 */
export type ReviewRow = typeof reviews.$inferSelect;

export function toReview(r: ReviewRow) {
  return {
    review_id: r.id,
    product_id: r.productId,
    user_id: r.userId,
    rating: r.rating,
    comment: r.comment,
    status: r.status,
    verified_purchase: r.verified,
    helpful_count: r.helpfulCount,
    seller_reply: r.sellerReply,
    seller_reply_at: r.sellerReplyAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const now = () => new Date().toISOString();

/** A product's rating, as the catalog projects it: over visible reviews by verified buyers (`?1`: the product id). */
const RATING_AGGREGATE = {
  average: "SELECT ROUND(AVG(rating), 4) FROM reviews WHERE product_id = ?1 AND status = 'visible' AND verified = 1",
  count: "SELECT COUNT(*) FROM reviews WHERE product_id = ?1 AND status = 'visible' AND verified = 1",
};

/**
 * What goes in the same batch as every review change: the product's rating
 * aggregate and its `product.updated` outbox row (ratings flow to search through
 * it), so the event is never lost when its send fails; `publish` sends it after
 * the batch (the outbox relay sends it if that fails).
 */
function ratingChange(
  env: Pick<Env, "DB" | "EVENTS">,
  productId: string,
): { statements: D1PreparedStatement[]; publish: () => Promise<void> } {
  const eventId = newId("event");
  const at = now();
  const statements = ratingProjectionStatements(env.DB, productId, RATING_AGGREGATE, { id: eventId, at });
  const publish = async () => {
    await invalidateProduct(productId);
    const p = await findProduct(env, productId);
    if (!p) return;
    await dispatchEvents(env, [
      {
        id: eventId,
        type: "product.updated",
        occurred_at: at,
        data: { product_id: p.id, seller_id: p.sellerId, category_id: p.categoryId, version: p.version },
      },
    ]);
  };
  return { statements, publish };
}

async function isVerifiedBuyer(env: Pick<Env, "DB">, userId: string, productId: string): Promise<boolean> {
  return hasDeliveredItem(env, userId, productId);
}

export async function createReview(
  env: Pick<Env, "DB" | "EVENTS">,
  auth: AuthContext,
  input: { product_id: string; rating: number; comment: string },
) {
  const product = await findProduct(env, input.product_id);
  if (!product) throw new ApiError("not_found", "Product not found");
  if (!(await isVerifiedBuyer(env, auth.userId, input.product_id))) {
    throw new ApiError("not_a_verified_buyer", "Only buyers with a delivered order of this product can review it");
  }
  const id = newId("review");
  const db = getDb(env);
  const change = ratingChange(env, input.product_id);
  try {
    await env.DB.batch([
      env.DB.prepare("INSERT INTO reviews (id, product_id, user_id, rating, comment) VALUES (?, ?, ?, ?, ?)").bind(
        id,
        input.product_id,
        auth.userId,
        input.rating,
        input.comment,
      ),
      ...change.statements,
    ]);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ApiError("already_reviewed", "You have already reviewed this product; edit your review instead");
    throw err;
  }
  await change.publish();
  return toReview((await db.select().from(reviews).where(eq(reviews.id, id)).get())!);
}

async function ownReview(env: Pick<Env, "DB">, id: string) {
  const r = await getDb(env).select().from(reviews).where(eq(reviews.id, id)).get();
  if (!r) throw new ApiError("not_found", "Review not found");
  return r;
}

export async function updateReview(
  env: Pick<Env, "DB" | "EVENTS">,
  auth: AuthContext,
  id: string,
  input: { rating?: number; comment?: string },
) {
  const r = await ownReview(env, id);
  if (r.userId !== auth.userId) throw new ApiError("not_found", "Review not found");
  const change = ratingChange(env, r.productId);
  await env.DB.batch([
    env.DB.prepare("UPDATE reviews SET rating = ?, comment = ?, updated_at = ? WHERE id = ?").bind(
      input.rating ?? r.rating,
      input.comment ?? r.comment,
      now(),
      id,
    ),
    ...change.statements,
  ]);
  await change.publish();
  return toReview(await ownReview(env, id));
}

/**
 * Admin moderation: hiding a review takes it out of the aggregate in the same transaction. Either
 * decision closes it in the moderation queue until someone reports it again.
 */
export async function moderateReview(env: Pick<Env, "DB" | "EVENTS">, id: string, status: "visible" | "hidden") {
  const r = await ownReview(env, id);
  const change = ratingChange(env, r.productId);
  await env.DB.batch([
    env.DB.prepare("UPDATE reviews SET status = ?1, updated_at = ?2, moderated_at = ?2 WHERE id = ?3").bind(
      status,
      now(),
      id,
    ),
    ...change.statements,
  ]);
  await change.publish();
  return toReview(await ownReview(env, id));
}

export async function replyToReview(env: Pick<Env, "DB">, auth: AuthContext, id: string, reply: string) {
  const r = await ownReview(env, id);
  const product = await findProduct(env, r.productId);
  if (auth.role !== "admin" && product?.sellerId !== auth.userId)
    throw new ApiError("forbidden", "Only the product's seller can reply");
  const now = new Date().toISOString();
  await getDb(env)
    .update(reviews)
    .set({ sellerReply: reply, sellerReplyAt: now, updatedAt: now })
    .where(eq(reviews.id, id));
  return toReview(await ownReview(env, id));
}

/** One vote per user per review; the count is recomputed from the votes. */
export async function voteHelpful(env: Pick<Env, "DB">, auth: AuthContext, id: string) {
  const r = await ownReview(env, id);
  if (r.status !== "visible") throw new ApiError("not_found", "Review not found");
  if (r.userId === auth.userId) throw new ApiError("invalid_state", "You cannot vote for your own review");
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO review_votes (review_id, user_id) VALUES (?, ?)").bind(id, auth.userId),
    env.DB.prepare(
      "UPDATE reviews SET helpful_count = (SELECT COUNT(*) FROM review_votes WHERE review_id = ?1) WHERE id = ?1",
    ).bind(id),
  ]);
  return toReview(await ownReview(env, id));
}

export type ReviewSort = "newest" | "highest" | "lowest" | "most_helpful";

/** Visible reviews of a product; keyset pagination on (sort key, id). */
export async function listReviews(
  env: Pick<Env, "DB">,
  productId: string,
  sort: ReviewSort,
  limit: number,
  cursor?: string,
) {
  const where: SQL[] = [eq(reviews.productId, productId), eq(reviews.status, "visible")];
  const key =
    sort === "highest" || sort === "lowest" ? reviews.rating : sort === "most_helpful" ? reviews.helpfulCount : null;
  const descending = sort !== "lowest";
  if (cursor) {
    const [k, id] = decodeCursor(cursor, 2);
    if (key) {
      where.push(
        descending
          ? sql`(${key} < ${k} OR (${key} = ${k} AND ${reviews.id} < ${id}))`
          : sql`(${key} > ${k} OR (${key} = ${k} AND ${reviews.id} < ${id}))`,
      );
    } else where.push(lt(reviews.id, String(id)));
  }
  const order = key ? [descending ? desc(key) : asc(key), desc(reviews.id)] : [desc(reviews.id)];
  const rows = await getDb(env)
    .select()
    .from(reviews)
    .where(and(...where))
    .orderBy(...order)
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next_cursor =
    rows.length > limit && last
      ? encodeCursor([key ? (sort === "most_helpful" ? last.helpfulCount : last.rating) : 0, last.id])
      : null;
  const hist = await env.DB.prepare(
    "SELECT rating, COUNT(*) AS n FROM reviews WHERE product_id = ? AND status = 'visible' AND verified = 1 GROUP BY rating",
  )
    .bind(productId)
    .all<{ rating: number; n: number }>();
  const histogram: Record<string, number> = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  for (const h of hist.results) histogram[String(h.rating)] = h.n;
  const product = await findProduct(env, productId);
  return {
    data: page.map(toReview),
    next_cursor,
    rating_average: product ? Math.round(product.ratingAverage * 100) / 100 : 0,
    rating_count: product?.ratingCount ?? 0,
    histogram,
  };
}

/**
 * Subscriber to order.refunded: a purchase refunded in full no longer backs a "verified" review
 * (buy, review five stars, refund). The review stays readable, marked unverified, and leaves the
 * product's rating, unless the buyer still has another delivered order of that product.
 */
export async function unverifyRefundedPurchases(
  env: Pick<Env, "DB" | "EVENTS">,
  order: { user_id: string; status: string; items: { product_id: string }[] },
): Promise<void> {
  if (order.status !== "refunded") return;
  for (const productId of new Set(order.items.map((i) => i.product_id))) {
    if (await hasDeliveredItem(env, order.user_id, productId)) continue;
    const review = await env.DB.prepare("SELECT id FROM reviews WHERE user_id = ? AND product_id = ? AND verified = 1")
      .bind(order.user_id, productId)
      .first();
    if (!review) continue;
    const change = ratingChange(env, productId);
    await env.DB.batch([
      env.DB.prepare("UPDATE reviews SET verified = 0, updated_at = ? WHERE id = ?").bind(now(), review.id),
      ...change.statements,
    ]);
    await change.publish();
  }
}

/** A user's reviews (the data export). */
export async function reviewsBy(env: Pick<Env, "DB">, userId: string) {
  const rows = await getDb(env).select().from(reviews).where(eq(reviews.userId, userId)).all();
  return rows.map(toReview);
}

/** Erasure: the user's reviews go, and each product's rating follows. */
export async function eraseReviewsBy(env: Pick<Env, "DB" | "EVENTS">, userId: string): Promise<number> {
  const rows = await getDb(env)
    .select({ id: reviews.id, productId: reviews.productId })
    .from(reviews)
    .where(eq(reviews.userId, userId))
    .all();
  for (const r of rows) {
    const change = ratingChange(env, r.productId);
    await env.DB.batch([
      env.DB.prepare("DELETE FROM review_votes WHERE review_id = ?").bind(r.id),
      env.DB.prepare("DELETE FROM review_reports WHERE review_id = ?").bind(r.id),
      env.DB.prepare("DELETE FROM reviews WHERE id = ?").bind(r.id),
      ...change.statements,
    ]);
    await change.publish();
  }
  return rows.length;
}

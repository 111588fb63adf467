import { and, desc, eq, gt, isNull, lt, or, type SQL } from "drizzle-orm";
import { getDb } from "../db/client";
import { reviews } from "../db/schema/reviews";
import { ApiError } from "../lib/errors";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AuthContext } from "../types";
import { findProducts } from "./catalog/product-reads";
import { toReview } from "./reviews";

/**
 * The review moderation queue. Any signed-in user may report a review once; the admin's queue lists
 * the open ones (never decided on, or reported again since the last decision), most reported first
 * or newest first, and one click hides or keeps a review. Keeping it visible also closes it.
 */
export type ReportReason = "spam" | "offensive" | "off_topic" | "fake" | "other";

/** Report a review; a second report by the same user changes nothing (the answer says so). */
export async function reportReview(
  env: Pick<Env, "DB">,
  auth: AuthContext,
  id: string,
  input: { reason: ReportReason; note?: string },
) {
  const r = await env.DB.prepare("SELECT user_id, status FROM reviews WHERE id = ?")
    .bind(id)
    .first<{ user_id: string; status: string }>();
  if (r?.status !== "visible") throw new ApiError("not_found", "Review not found");
  if (r.user_id === auth.userId) throw new ApiError("invalid_state", "You cannot report your own review");
  const at = new Date().toISOString();
  // The insert and the recount are one transaction, so concurrent reports leave an exact count.
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      "INSERT OR IGNORE INTO review_reports (review_id, user_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(id, auth.userId, input.reason, input.note ?? null, at),
    env.DB.prepare(
      "UPDATE reviews SET report_count = (SELECT COUNT(*) FROM review_reports WHERE review_id = ?1), " +
        "last_reported_at = (SELECT MAX(created_at) FROM review_reports WHERE review_id = ?1) WHERE id = ?1",
    ).bind(id),
  ]);
  return { review_id: id, reported: true as const, already_reported: (inserted?.meta.changes ?? 0) === 0 };
}

export type QueueQuery = {
  queue: "open" | "all";
  status?: "visible" | "hidden";
  sort: "reported" | "newest";
  limit: number;
  cursor?: string;
};

/** The admin's queue, keyset-paginated on (report count, id) or id. */
export async function moderationQueue(env: Pick<Env, "DB">, q: QueueQuery) {
  const where: SQL[] = [];
  if (q.queue === "open") where.push(or(isNull(reviews.moderatedAt), gt(reviews.lastReportedAt, reviews.moderatedAt))!);
  if (q.status) where.push(eq(reviews.status, q.status));
  if (q.cursor) {
    if (q.sort === "reported") {
      const [n, id] = decodeCursor(q.cursor, 2);
      where.push(
        or(lt(reviews.reportCount, Number(n)), and(eq(reviews.reportCount, Number(n)), lt(reviews.id, String(id))))!,
      );
    } else where.push(lt(reviews.id, String(decodeCursor(q.cursor, 1)[0])));
  }
  const order = q.sort === "reported" ? [desc(reviews.reportCount), desc(reviews.id)] : [desc(reviews.id)];
  const rows = await getDb(env)
    .select()
    .from(reviews)
    .where(and(...where))
    .orderBy(...order)
    .limit(q.limit + 1)
    .all();
  const page = toPage(rows, q.limit, (r) => (q.sort === "reported" ? [r.reportCount, r.id] : [r.id]));
  const reasons = await reasonsOf(
    env,
    page.data.map((r) => r.id),
  );
  const names = new Map(
    (
      await findProducts(
        env,
        page.data.map((r) => r.productId),
      )
    ).map((p) => [p.id, p.name]),
  );
  return {
    data: page.data.map((r) => ({
      ...toReview(r),
      product_name: names.get(r.productId) ?? null,
      report_count: r.reportCount,
      report_reasons: reasons.get(r.id) ?? {},
      last_reported_at: r.lastReportedAt,
      moderated_at: r.moderatedAt,
    })),
    next_cursor: page.next_cursor,
  };
}

async function reasonsOf(env: Pick<Env, "DB">, ids: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (!ids.length) return out;
  // At most 100 ids a page, within D1's 100 bound parameters.
  const { results } = await env.DB.prepare(
    `SELECT review_id, reason, COUNT(*) AS n FROM review_reports WHERE review_id IN (${ids.map(() => "?").join(",")}) GROUP BY review_id, reason`,
  )
    .bind(...ids)
    .all<{ review_id: string; reason: string; n: number }>();
  for (const r of results) out.set(r.review_id, { ...out.get(r.review_id), [r.reason]: r.n });
  return out;
}

/** Erasure: the user's reports go, and the counts of the reviews they reported follow. */
export async function eraseReportsBy(env: Pick<Env, "DB">, userId: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE reviews SET report_count = report_count - 1 WHERE id IN (SELECT review_id FROM review_reports WHERE user_id = ?)",
    ).bind(userId),
    env.DB.prepare("DELETE FROM review_reports WHERE user_id = ?").bind(userId),
  ]);
}

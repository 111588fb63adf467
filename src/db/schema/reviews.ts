import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- reviews module (src/services/reviews.ts) -------------------------------
export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    userId: text("user_id").notNull(),
    rating: integer("rating").notNull(),
    comment: text("comment").notNull(),
    status: text("status", { enum: ["visible", "hidden"] })
      .notNull()
      .default("visible"),
    /** False once the purchase behind it was refunded in full: shown as such, and left out of the rating. */
    verified: integer("verified", { mode: "boolean" }).notNull().default(true),
    helpfulCount: integer("helpful_count").notNull().default(0),
    sellerReply: text("seller_reply"),
    sellerReplyAt: text("seller_reply_at"),
    /** Reports by distinct users (review_reports), and when the last came: the moderation queue's order. */
    reportCount: integer("report_count").notNull().default(0),
    lastReportedAt: text("last_reported_at"),
    /** When an admin last decided on it; a report after that puts it back in the open queue. */
    moderatedAt: text("moderated_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("reviews_one_per_buyer_uq").on(t.productId, t.userId),
    index("reviews_product_idx").on(t.productId, t.status, t.id),
    index("reviews_reports_idx").on(t.reportCount, t.id),
  ],
);

export const reviewVotes = sqliteTable(
  "review_votes",
  { reviewId: text("review_id").notNull(), userId: text("user_id").notNull(), createdAt: createdAt() },
  (t) => [primaryKey({ columns: [t.reviewId, t.userId] })],
);

/** One report per user per review: who flagged it, and why. */
export const reviewReports = sqliteTable(
  "review_reports",
  {
    reviewId: text("review_id").notNull(),
    userId: text("user_id").notNull(),
    reason: text("reason", { enum: ["spam", "offensive", "off_topic", "fake", "other"] }).notNull(),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.userId] })],
);

import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { ProductId } from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as reviews from "../services/reviews";
import { moderationQueue, reportReview } from "../services/review-moderation";

const ReviewSchema = z
  .object({
    review_id: z.string(),
    product_id: z.string(),
    user_id: z.string(),
    rating: z.number().int(),
    comment: z.string(),
    status: z.string(),
    verified_purchase: z.boolean().openapi({
      description: "False once the purchase behind the review was refunded in full (it then leaves the rating)",
    }),
    helpful_count: z.number().int(),
    seller_reply: z.string().nullable(),
    seller_reply_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Review");
const Rating = z.number().int().min(1).max(5);
const ReviewIdParam = z.object({
  review_id: z
    .string()
    .regex(/^rev_[0-9A-Za-z]+$/)
    .openapi({ param: { name: "review_id", in: "path" } }),
});

const create = createRoute({
  method: "post",
  path: "/reviews",
  tags: ["Reviews"],
  summary: "Review a product you received",
  description:
    "Only with a delivered order of the product (403 `not_a_verified_buyer`); once per product (409, edit with PATCH).",
  ...signedIn,
  request: {
    body: jsonBody(
      z
        .strictObject({ product_id: ProductId, rating: Rating, comment: z.string().trim().min(1).max(5000) })
        .openapi("CreateReviewRequest"),
    ),
  },
  responses: { 201: jsonResponse(ReviewSchema, "Created"), ...errorResponses(400, 401, 403, 404, 409) },
});

const list = createRoute({
  method: "get",
  path: "/reviews",
  tags: ["Reviews"],
  summary: "A product's reviews with its rating average, count and histogram",
  request: {
    query: PageQuery.extend({
      product_id: ProductId,
      sort: z.enum(["newest", "highest", "lowest", "most_helpful"]).default("newest"),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(ReviewSchema),
        next_cursor: z.string().nullable(),
        rating_average: z.number(),
        rating_count: z.number().int(),
        histogram: z.record(z.string(), z.number().int()),
      }),
      "Reviews",
    ),
    ...errorResponses(400),
  },
});

const patch = createRoute({
  method: "patch",
  path: "/reviews/{review_id}",
  tags: ["Reviews"],
  summary: "Edit your review",
  ...signedIn,
  request: {
    params: ReviewIdParam,
    body: jsonBody(
      z.strictObject({ rating: Rating.optional(), comment: z.string().trim().min(1).max(5000).optional() }),
    ),
  },
  responses: { 200: jsonResponse(ReviewSchema, "Updated"), ...errorResponses(400, 401, 404) },
});

const helpful = createRoute({
  method: "post",
  path: "/reviews/{review_id}/helpful",
  tags: ["Reviews"],
  summary: "Mark a review helpful (once per user)",
  ...signedIn,
  request: { params: ReviewIdParam },
  responses: { 200: jsonResponse(ReviewSchema, "Counted"), ...errorResponses(401, 404, 409) },
});

const reply = createRoute({
  method: "post",
  path: "/reviews/{review_id}/reply",
  tags: ["Reviews"],
  summary: "The product's seller replies",
  ...allowRoles("seller", "admin"),
  request: { params: ReviewIdParam, body: jsonBody(z.strictObject({ reply: z.string().trim().min(1).max(2000) })) },
  responses: { 200: jsonResponse(ReviewSchema, "Replied"), ...errorResponses(400, 401, 403, 404) },
});

const moderate = createRoute({
  method: "post",
  path: "/reviews/{review_id}/moderation",
  tags: ["Reviews"],
  summary: "Hide or restore a review (admin); the product's rating follows at once",
  ...allowRoles("admin"),
  request: { params: ReviewIdParam, body: jsonBody(z.strictObject({ status: z.enum(["visible", "hidden"]) })) },
  responses: { 200: jsonResponse(ReviewSchema, "Moderated"), ...errorResponses(400, 401, 403, 404) },
});

const report = createRoute({
  method: "post",
  path: "/reviews/{review_id}/report",
  tags: ["Reviews"],
  summary: "Report a review to the moderators (once per user; not your own)",
  ...signedIn,
  request: {
    params: ReviewIdParam,
    body: jsonBody(
      z
        .strictObject({
          reason: z.enum(["spam", "offensive", "off_topic", "fake", "other"]),
          note: z.string().trim().min(1).max(500).optional(),
        })
        .openapi("ReportReviewRequest"),
    ),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          review_id: z.string(),
          reported: z.literal(true),
          already_reported: z.boolean().openapi({ description: "True when this user had reported it before" }),
        })
        .openapi("ReviewReported"),
      "Reported",
    ),
    ...errorResponses(400, 401, 404, 409),
  },
});

const ModerationItem = ReviewSchema.extend({
  product_name: z.string().nullable(),
  report_count: z.number().int(),
  report_reasons: z.record(z.string(), z.number().int()),
  last_reported_at: z.string().nullable(),
  moderated_at: z.string().nullable(),
}).openapi("ModerationItem");

const queue = createRoute({
  method: "get",
  path: "/admin/reviews",
  tags: ["Reviews"],
  summary: "The review moderation queue (admin)",
  description:
    "`queue=open` (default): reviews never decided on, or reported again since. `sort=reported` (default) puts the most reported first, then the newest.",
  ...allowRoles("admin"),
  request: {
    query: PageQuery.extend({
      queue: z.enum(["open", "all"]).default("open"),
      status: z.enum(["visible", "hidden"]).optional(),
      sort: z.enum(["reported", "newest"]).default("reported"),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(ModerationItem, "ModerationQueue"), "A page of the queue"),
    ...errorResponses(400, 401, 403),
  },
});

export const reviewRoutes = createRouter()
  .openapi(report, async (c) =>
    c.json(await reportReview(c.env, currentUser(c), c.req.valid("param").review_id, c.req.valid("json")), 200),
  )
  .openapi(queue, async (c) => c.json(await moderationQueue(c.env, c.req.valid("query")), 200))
  .openapi(create, async (c) => c.json(await reviews.createReview(c.env, currentUser(c), c.req.valid("json")), 201))
  .openapi(list, async (c) => {
    const { product_id, sort, limit, cursor } = c.req.valid("query");
    return c.json(await reviews.listReviews(c.env, product_id, sort, limit, cursor), 200);
  })
  .openapi(patch, async (c) =>
    c.json(await reviews.updateReview(c.env, currentUser(c), c.req.valid("param").review_id, c.req.valid("json")), 200),
  )
  .openapi(helpful, async (c) =>
    c.json(await reviews.voteHelpful(c.env, currentUser(c), c.req.valid("param").review_id), 200),
  )
  .openapi(reply, async (c) =>
    c.json(
      await reviews.replyToReview(c.env, currentUser(c), c.req.valid("param").review_id, c.req.valid("json").reply),
      200,
    ),
  )
  .openapi(moderate, async (c) =>
    c.json(await reviews.moderateReview(c.env, c.req.valid("param").review_id, c.req.valid("json").status), 200),
  );

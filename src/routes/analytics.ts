import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { allowRoles, currentUser } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { createRouter } from "../lib/validation";
import { UserId } from "../schemas/catalog";
import { errorResponses, jsonResponse } from "../schemas/common";
import * as reports from "../services/analytics";
import { toCsv } from "../lib/csv";
import type { AppEnv } from "../types";

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date, YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(d)), "not a real date");
const RangeQuery = z.object({
  from: Day.optional().openapi({ description: "First day (UTC), default 30 days ago" }),
  to: Day.optional().openapi({ description: "Last day (UTC, inclusive), default today" }),
  seller_id: UserId.optional().openapi({ description: "Admins only: whose numbers" }),
  format: z.enum(["json", "csv"]).default("json"),
});

const Report = z.record(z.string(), z.unknown());
const SeriesQuery = RangeQuery.extend({
  granularity: z.enum(["day"]).default("day"),
  format: z.enum(["json", "csv", "svg"]).default("json"),
});
const seriesResponse = {
  description: "Series: JSON, CSV or an SVG chart",
  content: {
    "application/json": { schema: Report },
    "text/csv": { schema: z.string() },
    "image/svg+xml": { schema: z.string() },
  },
};

/** A seller sees only their own numbers; an admin may name any seller. */
function whose(c: Context<AppEnv>, sellerId?: string): string {
  const auth = currentUser(c);
  if (sellerId && sellerId !== auth.userId && auth.role !== "admin")
    throw new ApiError("forbidden", "Sellers see only their own analytics");
  return sellerId ?? auth.userId;
}

function range(q: { from?: string; to?: string }) {
  const r = reports.defaultRange(q.from, q.to);
  if (r.from > r.to)
    throw new ApiError("validation_failed", "from is after to", {
      details: [{ field: "from", code: "range", message: "from > to" }],
    });
  return r;
}

function respond(
  c: Context<AppEnv>,
  format: "json" | "csv" | "svg",
  body: Record<string, unknown>,
  rows: Record<string, unknown>[],
  name: string,
) {
  if (format === "svg") {
    // Only the daily series ask for svg; their rows are { date, revenue }.
    const r = body as { from: string; to: string };
    c.header("Content-Type", "image/svg+xml; charset=utf-8");
    return c.body(reports.revenueChartSvg("Revenue per day", r, rows as reports.DayValue[]), 200);
  }
  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${name}.csv"`);
    return c.body(toCsv(rows), 200);
  }
  return c.json(body, 200);
}

const seller = createRoute({
  method: "get",
  path: "/analytics/seller",
  tags: ["Analytics"],
  summary: "Your sales: revenue, orders by status, units, top products, low stock (from the warehouse)",
  description: "`format=csv` exports the top products. Admins may pass `seller_id`.",
  ...allowRoles("seller", "admin"),
  request: { query: RangeQuery },
  responses: { 200: jsonResponse(Report, "Report"), ...errorResponses(400, 401, 403) },
});

const timeseries = createRoute({
  method: "get",
  path: "/analytics/seller/timeseries",
  tags: ["Analytics"],
  summary: "Revenue, units and orders per day",
  description: "`format=svg` answers the revenue chart the dashboard shows (every day of the range, one bar each).",
  ...allowRoles("seller", "admin"),
  request: { query: SeriesQuery },
  responses: { 200: seriesResponse, ...errorResponses(400, 401, 403) },
});

const platformSeries = createRoute({
  method: "get",
  path: "/analytics/platform/timeseries",
  tags: ["Analytics"],
  summary: "GMV, units and orders per day over the whole platform (admin)",
  description: "`format=svg` answers the revenue chart the admin page shows.",
  ...allowRoles("admin"),
  request: { query: SeriesQuery.omit({ seller_id: true }) },
  responses: { 200: seriesResponse, ...errorResponses(400, 401, 403) },
});

const conversion = createRoute({
  method: "get",
  path: "/analytics/seller/conversion",
  tags: ["Analytics"],
  summary: "Views to purchases per product",
  ...allowRoles("seller", "admin"),
  request: { query: RangeQuery },
  responses: { 200: jsonResponse(Report, "Conversion"), ...errorResponses(400, 401, 403) },
});

const platform = createRoute({
  method: "get",
  path: "/analytics/platform",
  tags: ["Analytics"],
  summary: "The whole platform: GMV, orders, active buyers, top sellers (admin)",
  ...allowRoles("admin"),
  request: { query: RangeQuery.omit({ seller_id: true }) },
  responses: { 200: jsonResponse(Report, "Report"), ...errorResponses(400, 401, 403) },
});

const tax = createRoute({
  method: "get",
  path: "/analytics/tax",
  tags: ["Analytics"],
  summary: "Tax collected per jurisdiction, refunds and net, in usd (admin)",
  description:
    "`collected`: sales tax added on top of prices, which the platform remits; `included`: VAT or GST contained in prices. Refunds count on the day they were made.",
  ...allowRoles("admin"),
  request: { query: RangeQuery.omit({ seller_id: true }) },
  responses: { 200: jsonResponse(Report, "Report"), ...errorResponses(400, 401, 403) },
});

const drift = createRoute({
  method: "get",
  path: "/analytics/drift",
  tags: ["Analytics"],
  summary: "Sellers whose warehouse revenue differs from the live orders (admin)",
  ...allowRoles("admin"),
  responses: { 200: jsonResponse(Report, "Drift"), ...errorResponses(401, 403) },
});

export const analyticsRoutes = createRouter()
  .openapi(seller, async (c) => {
    const q = c.req.valid("query");
    const report = await reports.sellerReport(c.env, whose(c, q.seller_id), range(q));
    return respond(c, q.format, report, report.top_products, "seller-top-products") as never;
  })
  .openapi(timeseries, async (c) => {
    const q = c.req.valid("query");
    const series = await reports.sellerTimeseries(c.env, whose(c, q.seller_id), range(q));
    return respond(c, q.format, series, series.data, "seller-timeseries") as never;
  })
  .openapi(platformSeries, async (c) => {
    const q = c.req.valid("query");
    const series = await reports.platformTimeseries(c.env, range(q));
    return respond(c, q.format, series, series.data, "platform-timeseries") as never;
  })
  .openapi(conversion, async (c) => {
    const q = c.req.valid("query");
    const conv = await reports.sellerConversion(c.env, whose(c, q.seller_id), range(q));
    return respond(c, q.format, conv, conv.data, "seller-conversion") as never;
  })
  .openapi(platform, async (c) => {
    const q = c.req.valid("query");
    const report = await reports.platformReport(c.env, range(q));
    return respond(c, q.format, report, report.top_sellers, "platform-top-sellers") as never;
  })
  .openapi(tax, async (c) => {
    const q = c.req.valid("query");
    const report = await reports.taxReport(c.env, range(q));
    return respond(c, q.format, report, report.data, "tax-by-jurisdiction") as never;
  })
  .openapi(drift, async (c) => c.json(await reports.driftReport(c.env), 200));

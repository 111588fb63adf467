import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, requireRole } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { bearerAuth, errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as ledger from "../services/ledger";

const seller = { tags: ["Seller money"], security: bearerAuth, middleware: [requireRole("seller", "admin")] };

const Balance = z.object({ currency: z.string(), pending: z.number().int(), available: z.number().int(), paid_out: z.number().int() }).openapi("SellerBalance");
const Entry = z
  .object({
    entry_id: z.string(),
    kind: z.enum(["sale", "commission", "refund", "payout", "capture"]),
    amount: z.number().int(),
    currency: z.string(),
    order_id: z.string().nullable(),
    order_item_id: z.string().nullable(),
    payout_id: z.string().nullable(),
    available_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("LedgerEntry");
const Payout = z.object({ payout_id: z.string(), amount: z.number().int(), currency: z.string(), status: z.enum(["pending", "paid", "failed"]), created_at: z.string() }).openapi("Payout");
const Rule = z
  .strictObject({
    category_id: z.string().regex(/^cat_[0-9A-Za-z]+$/),
    percent: z.number().min(0).max(100),
    fixed: z.number().int().min(0).max(1_000_000).optional(),
    min: z.number().int().min(0).nullable().optional(),
    max: z.number().int().min(0).nullable().optional(),
  })
  .openapi("CommissionRule");

const balance = createRoute({ ...seller, method: "get", path: "/seller/balance", summary: "Your balance: pending (until delivery plus 7 days), available, paid out", responses: { 200: jsonResponse(Balance, "Balance"), ...errorResponses(401, 403) } });
const entries = createRoute({
  ...seller,
  method: "get",
  path: "/seller/ledger",
  summary: "Your ledger entries, newest first (sales net of commission, refunds, payouts)",
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageSchema(Entry, "LedgerPage"), "Entries"), ...errorResponses(400, 401, 403) },
});
const payoutList = createRoute({
  ...seller,
  method: "get",
  path: "/seller/payouts",
  summary: "Your payouts, newest first",
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageSchema(Payout, "PayoutPage"), "Payouts"), ...errorResponses(400, 401, 403) },
});
const admin = { tags: ["Seller money"], security: bearerAuth, middleware: [requireRole("admin")] };
const getRules = createRoute({ ...admin, method: "get", path: "/admin/commissions", summary: "Commission rules per category (admin)", responses: { 200: jsonResponse(z.object({ data: z.array(Rule) }), "Rules"), ...errorResponses(401, 403) } });
const putRules = createRoute({
  ...admin,
  method: "put",
  path: "/admin/commissions",
  summary: "Replace the commission rules (admin): a percent per category, inherited down the tree, with an optional fixed fee and a min and max per line",
  request: { body: jsonBody(z.strictObject({ rules: z.array(Rule).max(500) }).openapi("CommissionRules")) },
  responses: { 200: jsonResponse(z.object({ data: z.array(Rule) }), "Rules"), ...errorResponses(400, 401, 403) },
});

export const sellerMoneyRoutes = createRouter()
  .openapi(balance, async (c) => c.json(await ledger.sellerBalance(c.env, currentUser(c).userId), 200))
  .openapi(entries, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await ledger.sellerLedger(c.env, currentUser(c).userId, limit, cursor), 200);
  })
  .openapi(payoutList, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await ledger.sellerPayouts(c.env, currentUser(c).userId, limit, cursor), 200);
  })
  .openapi(getRules, async (c) => c.json({ data: await ledger.listCommissionRules(c.env) }, 200))
  .openapi(putRules, async (c) => c.json({ data: await ledger.setCommissionRules(c.env, c.req.valid("json").rules) }, 200));

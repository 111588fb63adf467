import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as ledger from "../services/ledger";
import { audit } from "../services/audit";
import { toCsv } from "../lib/csv";
import { paymentProvider } from "../services/payments";

/**
 * Longer than 300 lines: one sub-app for the seller-money resources of API.md (balance, ledger,
 * statements, payouts, payout settings, commission rules), each route's schema declared inline
 * beside its handler as Hono's model does.
 */

const seller = { tags: ["Seller money"], ...allowRoles("seller", "admin") };

const Balance = z
  .object({ currency: z.string(), pending: z.number().int(), available: z.number().int(), paid_out: z.number().int() })
  .openapi("SellerBalance");
const Entry = z
  .object({
    entry_id: z.string(),
    kind: z.enum(["sale", "commission", "refund", "payout", "capture", "shipping", "tax", "dispute"]),
    amount: z.number().int(),
    currency: z.string(),
    order_id: z.string().nullable(),
    order_item_id: z.string().nullable(),
    payout_id: z.string().nullable(),
    available_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("LedgerEntry");
const Payout = z
  .object({
    payout_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(["pending", "paid", "failed"]),
    created_at: z.string(),
  })
  .openapi("Payout");
const Rule = z
  .strictObject({
    category_id: z.string().regex(/^cat_[0-9A-Za-z]+$/),
    percent: z.number().min(0).max(100),
    fixed: z.number().int().min(0).max(1_000_000).optional(),
    min: z.number().int().min(0).nullable().optional(),
    max: z.number().int().min(0).nullable().optional(),
  })
  .openapi("CommissionRule");

const balance = createRoute({
  ...seller,
  method: "get",
  path: "/seller/balance",
  summary: "Your balance: pending (until delivery plus 7 days), available, paid out",
  responses: { 200: jsonResponse(Balance, "Balance"), ...errorResponses(401, 403) },
});
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
const admin = { tags: ["Seller money"], ...allowRoles("admin") };
const getRules = createRoute({
  ...admin,
  method: "get",
  path: "/admin/commissions",
  summary: "Commission rules per category (admin)",
  responses: { 200: jsonResponse(z.object({ data: z.array(Rule) }), "Rules"), ...errorResponses(401, 403) },
});
const putRules = createRoute({
  ...admin,
  method: "put",
  path: "/admin/commissions",
  summary:
    "Replace the commission rules (admin): a percent per category, inherited down the tree, with an optional fixed fee and a min and max per line",
  request: { body: jsonBody(z.strictObject({ rules: z.array(Rule).max(500) }).openapi("CommissionRules")) },
  responses: { 200: jsonResponse(z.object({ data: z.array(Rule) }), "Rules"), ...errorResponses(400, 401, 403) },
});

const Settings = z
  .object({
    seller_id: z.string(),
    payout_account: z.string().nullable(),
    on_hold: z.boolean(),
    hold_days: z.number().int(),
    payout_schedule: z.enum(["daily", "weekly", "manual"]),
    return_window_days: z.number().int(),
    refund_on_approval_below: z.number().int().nullable(),
  })
  .openapi("SellerSettings");
const getSettings = createRoute({
  ...seller,
  method: "get",
  path: "/seller/settings",
  summary: "Your payout and returns settings",
  responses: { 200: jsonResponse(Settings, "Settings"), ...errorResponses(401, 403) },
});
const putSettings = createRoute({
  ...seller,
  method: "patch",
  path: "/seller/settings",
  summary: "Set your payout schedule, return window and the value under which a return is refunded on approval",
  request: {
    body: jsonBody(
      z
        .strictObject({
          payout_schedule: z.enum(["daily", "weekly", "manual"]).optional(),
          return_window_days: z.number().int().min(14).max(365).optional().openapi({ description: "At least 14 days" }),
          refund_on_approval_below: z.number().int().min(0).max(100_000).nullable().optional(),
        })
        .openapi("SellerSettingsPatch"),
    ),
  },
  responses: { 200: jsonResponse(Settings, "Settings"), ...errorResponses(400, 401, 403) },
});
const requestPayout = createRoute({
  ...seller,
  method: "post",
  path: "/seller/payouts",
  summary: "Pay out your available balance now (at least the minimum), whatever your schedule",
  responses: { 202: jsonResponse(z.object({ paid: z.number().int() }), "Requested"), ...errorResponses(401, 403) },
});
const holdDays = createRoute({
  ...admin,
  method: "put",
  path: "/admin/sellers/{seller_id}/hold-days",
  summary: "A seller's holding period after delivery (admin; default 7 days); recorded in the audit log",
  request: {
    params: z.object({
      seller_id: z
        .string()
        .regex(/^usr_[0-9A-Za-z]+$/)
        .openapi({ param: { name: "seller_id", in: "path" } }),
    }),
    body: jsonBody(z.strictObject({ hold_days: z.number().int().min(0).max(180) }).openapi("HoldDays")),
  },
  responses: { 200: jsonResponse(Settings, "Saved"), ...errorResponses(400, 401, 403) },
});
const revenue = createRoute({
  ...admin,
  method: "get",
  path: "/admin/revenue",
  summary: "The platform's commissions over a period (admin)",
  request: { query: z.object({ from: z.string().datetime().optional(), to: z.string().datetime().optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        currency: z.string(),
        from: z.string(),
        to: z.string(),
        commissions: z.number().int(),
        orders: z.number().int(),
      }),
      "Revenue",
    ),
    ...errorResponses(400, 401, 403),
  },
});
const payoutAccount = createRoute({
  ...seller,
  method: "put",
  path: "/seller/payout-account",
  summary: "Where your payouts go: your Stripe connected account id",
  request: {
    body: jsonBody(
      z.strictObject({ account_id: z.string().regex(/^acct_[0-9A-Za-z]{6,64}$/) }).openapi("PayoutAccount"),
    ),
  },
  responses: { 200: jsonResponse(Settings, "Saved"), ...errorResponses(400, 401, 403) },
});
const statement = createRoute({
  ...seller,
  method: "get",
  path: "/seller/statements/{month}",
  summary: "A month of your ledger as CSV (`YYYY-MM`)",
  request: {
    params: z.object({
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
        .openapi({ param: { name: "month", in: "path" }, example: "2026-11" }),
    }),
  },
  responses: {
    200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
    ...errorResponses(400, 401, 403),
  },
});
const hold = createRoute({
  ...admin,
  method: "put",
  path: "/admin/sellers/{seller_id}/payout-hold",
  summary: "Hold or release a seller's payouts (admin); recorded in the audit log",
  request: {
    params: z.object({
      seller_id: z
        .string()
        .regex(/^usr_[0-9A-Za-z]+$/)
        .openapi({ param: { name: "seller_id", in: "path" } }),
    }),
    body: jsonBody(z.strictObject({ hold: z.boolean() }).openapi("PayoutHold")),
  },
  responses: { 200: jsonResponse(Settings, "Saved"), ...errorResponses(400, 401, 403) },
});
const sellerBalanceForAdmin = createRoute({
  ...admin,
  method: "get",
  path: "/admin/sellers/{seller_id}/balance",
  summary: "A seller's balance (admin)",
  request: {
    params: z.object({
      seller_id: z
        .string()
        .regex(/^usr_[0-9A-Za-z]+$/)
        .openapi({ param: { name: "seller_id", in: "path" } }),
    }),
  },
  responses: { 200: jsonResponse(Balance, "Balance"), ...errorResponses(400, 401, 403) },
});

export const sellerMoneyRoutes = createRouter()
  .openapi(getSettings, async (c) => c.json(await ledger.payoutSettings(c.env, currentUser(c).userId), 200))
  .openapi(putSettings, async (c) =>
    c.json(await ledger.updateSellerSettings(c.env, currentUser(c).userId, c.req.valid("json")), 200),
  )
  .openapi(requestPayout, async (c) => {
    const me = currentUser(c).userId;
    const paid = await ledger.runPayouts(
      c.env,
      async (p) => paymentProvider(c.env).payout({ ...p, currency: "usd" }),
      undefined,
      me,
    );
    return c.json({ paid }, 202);
  })
  .openapi(holdDays, async (c) => {
    const { seller_id } = c.req.valid("param");
    const saved = await ledger.setHoldDays(c.env, seller_id, c.req.valid("json").hold_days);
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: "payouts.hold_days_changed",
      targetType: "seller",
      targetId: seller_id,
      details: { hold_days: saved.hold_days },
    });
    return c.json(saved, 200);
  })
  .openapi(revenue, async (c) => {
    const q = c.req.valid("query");
    const to = q.to ?? new Date().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
    return c.json(await ledger.platformRevenue(c.env, from, to), 200);
  })
  .openapi(payoutAccount, async (c) =>
    c.json(await ledger.setPayoutAccount(c.env, currentUser(c).userId, c.req.valid("json").account_id), 200),
  )
  .openapi(statement, async (c) => {
    const { month } = c.req.valid("param");
    const rows = await ledger.monthlyStatement(c.env, currentUser(c).userId, month);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="statement-${month}.csv"`);
    return c.body(
      rows.length ? toCsv(rows) : "entry_id,kind,amount,currency,order_id,order_item_id,payout_id,created_at\r\n",
      200,
    );
  })
  .openapi(hold, async (c) => {
    const { seller_id } = c.req.valid("param");
    const { hold: onHold } = c.req.valid("json");
    const saved = await ledger.setPayoutHold(c.env, seller_id, onHold);
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: onHold ? "payouts.held" : "payouts.released",
      targetType: "seller",
      targetId: seller_id,
    });
    return c.json(saved, 200);
  })
  .openapi(sellerBalanceForAdmin, async (c) =>
    c.json(await ledger.sellerBalance(c.env, c.req.valid("param").seller_id), 200),
  )
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
  .openapi(putRules, async (c) =>
    c.json({ data: await ledger.setCommissionRules(c.env, c.req.valid("json").rules) }, 200),
  );

import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as returns from "../services/returns";

const ReturnId = z.string().regex(/^ret_[0-9A-Za-z]+$/);
const OrderItemId = z.string().regex(/^oit_[0-9A-Za-z]+$/);
const Quantity = z.number().int().min(1).max(99);
const Param = z.object({ return_id: ReturnId.openapi({ param: { name: "return_id", in: "path" } }) });
const STATUSES = ["requested", "approved", "rejected", "in_transit", "received", "refunded"] as const;

const ReturnSchema = z
  .object({
    return_id: z.string(),
    order_id: z.string(),
    user_id: z.string(),
    seller_id: z.string(),
    status: z.enum(STATUSES),
    items: z.array(
      z.object({
        order_item_id: z.string(),
        product_id: z.string(),
        variant_id: z.string().nullable(),
        quantity: z.number().int(),
        condition: z.enum(["sellable", "damaged"]).nullable(),
      }),
    ),
    reason: z.string(),
    note: z.string().nullable(),
    label: z.string().nullable().openapi({ description: "The return label reference, once approved" }),
    tracking_number: z.string().nullable(),
    refund_id: z.string().nullable(),
    amount: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Return");

const create = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "post",
  path: "/returns",
  summary: "Ask to return delivered units of one seller's lines (the order's buyer)",
  description:
    "Within 30 days of delivery. More than was delivered, units already in a return, or past the window: 409.",
  request: {
    body: jsonBody(
      z
        .strictObject({
          order_id: z.string().regex(/^ord_[0-9A-Za-z]+$/),
          items: z
            .array(z.strictObject({ order_item_id: OrderItemId, quantity: Quantity }))
            .min(1)
            .max(50),
          reason: z.string().trim().min(1).max(500),
        })
        .openapi("ReturnRequest"),
    ),
  },
  responses: { 201: jsonResponse(ReturnSchema, "Requested"), ...errorResponses(400, 401, 404, 409) },
});

const list = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "get",
  path: "/returns",
  summary: "Returns: a buyer's own, a seller's for their lines, or all (admin); newest first",
  request: { query: PageQuery.extend({ status: z.enum(STATUSES).optional() }) },
  responses: {
    200: jsonResponse(pageSchema(ReturnSchema, "ReturnList"), "A page of returns"),
    ...errorResponses(400, 401),
  },
});

const get = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "get",
  path: "/returns/{return_id}",
  summary: "A return (its buyer, the seller of its lines, an admin; anyone else 404)",
  request: { params: Param },
  responses: { 200: jsonResponse(ReturnSchema, "The return"), ...errorResponses(400, 401, 404) },
});

const approve = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "post",
  path: "/returns/{return_id}/approve",
  summary: "Approve a return, with a label reference (the seller of its lines, an admin)",
  request: {
    params: Param,
    body: jsonBody(z.strictObject({ note: z.string().trim().max(1000).optional() }).openapi("ApproveReturn")),
  },
  responses: { 200: jsonResponse(ReturnSchema, "Approved"), ...errorResponses(400, 401, 403, 404, 409) },
});

const reject = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "post",
  path: "/returns/{return_id}/reject",
  summary: "Reject a return with a note (the seller of its lines, an admin)",
  request: {
    params: Param,
    body: jsonBody(z.strictObject({ note: z.string().trim().min(1).max(1000) }).openapi("RejectReturn")),
  },
  responses: { 200: jsonResponse(ReturnSchema, "Rejected"), ...errorResponses(400, 401, 403, 404, 409) },
});

const tracking = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "post",
  path: "/returns/{return_id}/tracking",
  summary: "Add the return parcel's tracking number (its buyer)",
  request: {
    params: Param,
    body: jsonBody(z.strictObject({ tracking_number: z.string().trim().min(1).max(100) }).openapi("ReturnTracking")),
  },
  responses: { 200: jsonResponse(ReturnSchema, "In transit"), ...errorResponses(400, 401, 403, 404, 409) },
});

const receive = createRoute({
  tags: ["Returns"],
  ...signedIn,
  method: "post",
  path: "/returns/{return_id}/receive",
  summary: "Mark the parcel received, unit by unit: sellable units go back to stock, and the refund is issued",
  request: {
    params: Param,
    body: jsonBody(
      z
        .strictObject({
          items: z
            .array(
              z.strictObject({
                order_item_id: OrderItemId,
                quantity: z.number().int().min(0).max(99),
                condition: z.enum(["sellable", "damaged"]),
              }),
            )
            .min(1)
            .max(100),
        })
        .openapi("ReceiveReturn"),
    ),
  },
  responses: { 200: jsonResponse(ReturnSchema, "Received and refunded"), ...errorResponses(400, 401, 403, 404, 409) },
});

export const returnRoutes = createRouter()
  .openapi(create, async (c) => c.json(await returns.requestReturn(c.env, currentUser(c), c.req.valid("json")), 201))
  .openapi(list, async (c) => c.json(await returns.listReturns(c.env, currentUser(c), c.req.valid("query")), 200))
  .openapi(get, async (c) =>
    c.json(returns.toReturn((await returns.getReturn(c.env, currentUser(c), c.req.valid("param").return_id)).row), 200),
  )
  .openapi(approve, async (c) =>
    c.json(
      await returns.approveReturn(c.env, currentUser(c), c.req.valid("param").return_id, c.req.valid("json").note),
      200,
    ),
  )
  .openapi(reject, async (c) =>
    c.json(
      await returns.rejectReturn(c.env, currentUser(c), c.req.valid("param").return_id, c.req.valid("json").note),
      200,
    ),
  )
  .openapi(tracking, async (c) =>
    c.json(
      await returns.addReturnTracking(
        c.env,
        currentUser(c),
        c.req.valid("param").return_id,
        c.req.valid("json").tracking_number,
      ),
      200,
    ),
  )
  .openapi(receive, async (c) =>
    c.json(
      await returns.receiveReturn(c.env, currentUser(c), c.req.valid("param").return_id, c.req.valid("json").items),
      200,
    ),
  );

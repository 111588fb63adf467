import { createRoute } from "@hono/zod-openapi";
import { allowRoles, currentUser } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { CouponSchema, CreateCouponBody } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as promotions from "../services/promotions";

const create = createRoute({
  method: "post",
  path: "/coupons",
  tags: ["Promotions"],
  summary: "Create a coupon (admin, or a seller for their own products)",
  description:
    "Percent, fixed amount or free shipping; minimum subtotal, validity window, total and per-customer limits, " +
    "seller or category scope, and whether it combines with other coupons.",
  ...allowRoles("admin", "seller"),
  request: { body: jsonBody(CreateCouponBody) },
  responses: { 201: jsonResponse(CouponSchema, "Created"), ...errorResponses(400, 401, 403, 409) },
});

const list = createRoute({
  method: "get",
  path: "/coupons",
  tags: ["Promotions"],
  summary: "Coupons: all for admins, their own for sellers",
  ...allowRoles("admin", "seller"),
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(CouponSchema, "CouponList"), "A page of coupons"),
    ...errorResponses(400, 401, 403),
  },
});

export const couponRoutes = createRouter()
  .openapi(create, async (c) => c.json(await promotions.createCoupon(c.env, currentUser(c), c.req.valid("json")), 201))
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await promotions.listCoupons(c.env, currentUser(c), limit, cursor), 200);
  });

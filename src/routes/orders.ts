import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { CreateOrderBody, OrderIdParam, OrderSchema, OrderStatusBody } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { placeOrder } from "../services/checkout";
import { updateStatus } from "../services/fulfilment";
import * as orders from "../services/orders";

const idempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Retries with the same key and body return the first response" }),
});

const create = createRoute({
  method: "post",
  path: "/orders",
  tags: ["Orders"],
  summary: "Check out the cart: reserve, charge, confirm",
  description:
    "A saga: stock is reserved, the order written, coupons redeemed, store credit spent (`use_wallet`) and the rest charged. " +
    "A decline (402 `payment_declined`) holds no stock; the order stays `pending_payment` and can be paid with `POST /payments/pay`. " +
    "`pm_card_authenticationRequired` answers 201 `pending_payment` with a `client_secret` (3-D Secure).",
  ...signedIn,
  request: { headers: idempotencyHeader, body: jsonBody(CreateOrderBody) },
  responses: { 201: jsonResponse(OrderSchema, "The order"), ...errorResponses(400, 401, 402, 409, 429) },
});

const list = createRoute({
  method: "get",
  path: "/orders",
  tags: ["Orders"],
  summary: "Your orders, newest first",
  ...signedIn,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(OrderSchema, "OrderList"), "A page of orders"),
    ...errorResponses(400, 401),
  },
});

const sellerList = createRoute({
  method: "get",
  path: "/seller/orders",
  tags: ["Orders"],
  summary: "Orders holding your items (seller), with only your items",
  ...allowRoles("seller", "admin"),
  request: {
    query: PageQuery.extend({
      status: z
        .enum(["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"])
        .optional(),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(OrderSchema, "SellerOrderList"), "A page of orders"),
    ...errorResponses(400, 401, 403),
  },
});

const get = createRoute({
  method: "get",
  path: "/orders/{order_id}",
  tags: ["Orders"],
  summary: "One order: its buyer, the sellers of its items (their items only), admins",
  ...signedIn,
  request: { params: OrderIdParam },
  responses: { 200: jsonResponse(OrderSchema, "The order"), ...errorResponses(400, 401, 404) },
});

const status = createRoute({
  method: "post",
  path: "/orders/{order_id}/status",
  tags: ["Orders"],
  summary: "Move an order: ship (tracking number), deliver, cancel",
  description:
    "Sellers ship and deliver their own items; admins all. The buyer or an admin cancels before shipping " +
    "(a paid order is refunded and restocked). An illegal move is 409 `invalid_state`.",
  ...signedIn,
  request: { params: OrderIdParam, body: jsonBody(OrderStatusBody) },
  responses: { 200: jsonResponse(OrderSchema, "The order"), ...errorResponses(400, 401, 403, 404, 409) },
});

export const orderRoutes = createRouter()
  .openapi(create, async (c) => c.json(await placeOrder(c.env, currentUser(c), c.req.valid("json")), 201))
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await orders.listOrders(c.env, currentUser(c).userId, limit, cursor), 200);
  })
  .openapi(sellerList, async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    return c.json(await orders.listSellerOrders(c.env, currentUser(c).userId, limit, cursor, status), 200);
  })
  .openapi(get, async (c) =>
    c.json(await orders.getOrderFor(c.env, currentUser(c), c.req.valid("param").order_id), 200),
  )
  .openapi(status, async (c) =>
    c.json(await updateStatus(c.env, currentUser(c), c.req.valid("param").order_id, c.req.valid("json")), 200),
  );

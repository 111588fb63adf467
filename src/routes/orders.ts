import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { CreateOrderBody, OrderIdParam, OrderSchema, OrderStatusBody } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { placeOrder } from "../services/checkout";
import { updateStatus } from "../services/fulfilment";
import * as orders from "../services/orders";
import { toCsv } from "../lib/csv";

/** Orders per CSV export: 10 pages of 100, at most 400 D1 queries with a status filter (limit 1,000). */
const CSV_MAX_ORDERS = 1000;
const CSV_COLUMNS = [
  "order_id",
  "created_at",
  "order_status",
  "order_item_id",
  "product_id",
  "variant_id",
  "name",
  "options",
  "quantity",
  "price",
  "discount",
  "tax",
  "line_total",
  "currency",
  "line_status",
  "tracking_number",
] as const;

/** A seller's order lines for a spreadsheet, page by page from `cursor`, with where to go on. */
async function sellerOrderLines(env: Env, sellerId: string, cursor?: string, status?: string) {
  const rows: Record<(typeof CSV_COLUMNS)[number], unknown>[] = [];
  let next: string | null | undefined = cursor;
  for (let n = 0; n < CSV_MAX_ORDERS / 100; n++) {
    const page = await orders.listSellerOrders(env, sellerId, 100, next ?? undefined, status);
    for (const o of page.data)
      for (const i of o.items)
        rows.push({
          order_id: o.order_id,
          created_at: o.created_at,
          order_status: o.status,
          order_item_id: i.order_item_id,
          product_id: i.product_id,
          variant_id: i.variant_id,
          name: i.name,
          options: Object.entries(i.options)
            .map(([k, v]) => `${k}=${v}`)
            .join("; "),
          quantity: i.quantity,
          price: i.price,
          discount: i.discount,
          tax: i.tax,
          line_total: i.price * i.quantity - i.discount,
          currency: o.currency,
          line_status: i.status,
          tracking_number: i.tracking_number,
        });
    next = page.next_cursor;
    if (!next) break;
  }
  return { rows, next_cursor: next ?? null };
}

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
      format: z
        .enum(["json", "csv"])
        .default("json")
        .openapi({
          description: `\`csv\`: one row per line of yours, from \`cursor\` on, up to ${CSV_MAX_ORDERS} orders; \`X-Next-Cursor\` continues it`,
        }),
    }),
  },
  responses: {
    200: {
      description: "A page of orders, or (`format=csv`) the lines as CSV",
      content: {
        "application/json": { schema: pageSchema(OrderSchema, "SellerOrderList") },
        "text/csv": { schema: z.string() },
      },
    },
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
    const { limit, cursor, status, format } = c.req.valid("query");
    const sellerId = currentUser(c).userId;
    if (format === "json") return c.json(await orders.listSellerOrders(c.env, sellerId, limit, cursor, status), 200);
    const { rows, next_cursor } = await sellerOrderLines(c.env, sellerId, cursor, status);
    if (next_cursor) c.header("X-Next-Cursor", next_cursor);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", 'attachment; filename="orders.csv"');
    return c.body(rows.length ? toCsv(rows) : `${CSV_COLUMNS.join(",")}\r\n`, 200);
  })
  .openapi(get, async (c) =>
    c.json(await orders.getOrderFor(c.env, currentUser(c), c.req.valid("param").order_id), 200),
  )
  .openapi(status, async (c) =>
    c.json(await updateStatus(c.env, currentUser(c), c.req.valid("param").order_id, c.req.valid("json")), 200),
  );

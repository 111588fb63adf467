import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { ApiError } from "../lib/errors";
import { ProductIdParam } from "../schemas/catalog";
import { OrderSchema } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { AuctionListItem, AuctionSchema, BidBody, BidSchema, BuyNowBody } from "../schemas/auctions";
import * as auctions from "../services/auctions";

const tags = ["Auctions"];
const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "A retried bid with the same key counts once and answers as the first time" }),
});

const get = createRoute({
  method: "get",
  path: "/auctions/{product_id}",
  tags,
  summary: "An auction's live state",
  description:
    "`leading` is given to a signed-in caller only. The price is never above the leader's maximum, which stays private.",
  request: { params: ProductIdParam },
  responses: { 200: jsonResponse(AuctionSchema, "The auction"), ...errorResponses(400, 404) },
});

const bid = createRoute({
  method: "post",
  path: "/auctions/{product_id}/bids",
  tags,
  summary: "Bid: state your maximum; the price moves by the increment table (proxy bidding)",
  description:
    "Under `next_minimum`: 409 `bid_too_low`. After the end: 409 `auction_ended`. The seller: 403. A bid in the last 120 s moves the end to 120 s after it. " +
    "An optional `shipping_address` is where the item goes if this bid wins.",
  ...signedIn,
  request: { params: ProductIdParam, headers: IdempotencyHeader, body: jsonBody(BidBody) },
  responses: { 201: jsonResponse(BidSchema, "Bid accepted"), ...errorResponses(400, 401, 403, 404, 409) },
});

const buyNow = createRoute({
  method: "post",
  path: "/auctions/{product_id}/buy-now",
  tags,
  summary: "Buy it now: closes the auction and makes your order (pending payment)",
  description:
    "Only while no bid has reached the reserve, or there is no reserve and no bid. Pay with POST /payments/pay within 48 h.",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(BuyNowBody) },
  responses: { 201: jsonResponse(OrderSchema, "The order"), ...errorResponses(400, 401, 403, 404, 409) },
});

const live = createRoute({
  method: "get",
  path: "/auctions/{product_id}/live",
  tags,
  summary: "Live updates over a WebSocket",
  description:
    'Messages: `{ type: "bid" | "extended" | "ended", current_price, bid_count, ends_at }`. Send "ping" to get "pong". Without the socket, poll GET /auctions/{product_id}.',
  request: { params: ProductIdParam },
  responses: { 101: { description: "Switching to a WebSocket" }, ...errorResponses(400, 404), ...errorResponses(426) },
});

const secondChance = createRoute({
  method: "post",
  path: "/auctions/{product_id}/second-chance",
  tags,
  summary:
    "Offer the item to the runner-up at their maximum (the seller, once the winner's order was cancelled unpaid)",
  ...allowRoles("seller", "admin"),
  request: { params: ProductIdParam },
  responses: {
    201: jsonResponse(OrderSchema, "The runner-up's order (pending payment)"),
    ...errorResponses(401, 403, 404, 409),
  },
});

const sellerList = createRoute({
  method: "get",
  path: "/seller/auctions",
  tags,
  summary: "Your auctions with their status, bids and price (seller)",
  ...allowRoles("seller", "admin"),
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(AuctionListItem, "SellerAuctionList"), "A page"),
    ...errorResponses(400, 401, 403),
  },
});

const mine = createRoute({
  method: "get",
  path: "/account/auctions",
  tags,
  summary: "The auctions you bid on: leading, outbid, won or lost",
  ...signedIn,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(AuctionListItem, "BidderAuctionList"), "A page"),
    ...errorResponses(400, 401),
  },
});

export const auctionRoutes = createRouter()
  .openapi(get, async (c) =>
    c.json(await auctions.getAuction(c.env, c.req.valid("param").product_id, c.get("auth")?.userId ?? null), 200),
  )
  .openapi(bid, async (c) =>
    c.json(
      await auctions.placeBid(
        c.env,
        currentUser(c),
        c.req.valid("param").product_id,
        c.req.valid("json"),
        c.req.valid("header")["idempotency-key"],
      ),
      201,
    ),
  )
  .openapi(buyNow, async (c) =>
    c.json(await auctions.buyNow(c.env, currentUser(c), c.req.valid("param").product_id, c.req.valid("json")), 201),
  )
  .openapi(live, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError("upgrade_required", "Open this with a WebSocket (Upgrade: websocket)");
    const id = c.req.valid("param").product_id;
    await auctions.getAuction(c.env, id, null);
    return auctions.watch(c.env, id, c.req.raw);
  })
  .openapi(secondChance, async (c) =>
    c.json(await auctions.offerSecondChance(c.env, currentUser(c), c.req.valid("param").product_id), 201),
  )
  .openapi(sellerList, async (c) => {
    const q = c.req.valid("query");
    return c.json(await auctions.listSellerAuctions(c.env, currentUser(c).userId, q.limit, q.cursor), 200);
  })
  .openapi(mine, async (c) => {
    const q = c.req.valid("query");
    return c.json(await auctions.listBidderAuctions(c.env, currentUser(c).userId, q.limit, q.cursor), 200);
  });

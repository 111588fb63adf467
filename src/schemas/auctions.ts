import { z } from "@hono/zod-openapi";
import { AddressBody } from "./shipping";

/** Minor units, as the catalog's Money (kept here: the catalog's schema imports this one). */
const Money = z.number().int("money is an integer in minor units (cents)").min(0).max(10_000_000_000);

/** `auction` on POST /products (API.md, Auctions). Its dates are checked against the clock by the service (1 to 10 days ahead). */
export const AuctionInput = z
  .strictObject({
    start_price: Money.min(1, "start_price is at least 1"),
    reserve_price: Money.nullable()
      .optional()
      .openapi({ description: "Hidden; the item sells only if the winner's maximum reaches it" }),
    buy_now_price: Money.nullable().optional().openapi({
      description:
        "Closes the auction at once for this price, while no bid has reached the reserve (or, without one, before the first bid)",
    }),
    ends_at: z.iso
      .datetime({ offset: true, error: "ends_at is an ISO 8601 date-time" })
      .openapi({ description: "1 to 10 days ahead", example: "2026-12-10T18:00:00Z" }),
  })
  .openapi("AuctionTermsRequest");

const ShipTo = AddressBody.shape.address
  .optional()
  .openapi({ description: "Where the item goes if this bid wins (checked against the seller's shipping zones)" });

export const BidBody = z.strictObject({ max_amount: Money.min(1), shipping_address: ShipTo }).openapi("BidRequest");
export const BuyNowBody = z.strictObject({ shipping_address: ShipTo }).openapi("BuyNowRequest");

export const AuctionSchema = z
  .object({
    product_id: z.string(),
    status: z.enum(["live", "ended"]),
    current_price: z.number().int(),
    next_minimum: z.number().int(),
    bid_count: z.number().int(),
    ends_at: z.string(),
    reserve_met: z.boolean(),
    buy_now_price: z.number().int().nullable(),
    outcome: z
      .enum(["sold", "unsold", "bought_now"])
      .nullable()
      .optional()
      .openapi({ description: "How it ended (once ended)" }),
    leading: z.boolean().optional().openapi({ description: "Whether the caller leads (signed-in callers only)" }),
  })
  .openapi("Auction");

export const BidSchema = z
  .object({ bid_id: z.string(), current_price: z.number().int(), leading: z.boolean() })
  .openapi("Bid");

export const AuctionListItem = z
  .object({
    product_id: z.string(),
    name: z.string(),
    status: z.enum(["live", "ended"]),
    outcome: z.enum(["sold", "unsold", "bought_now"]).nullable(),
    current_price: z.number().int(),
    bid_count: z.number().int(),
    ends_at: z.string(),
    currency: z.string(),
    order_id: z
      .string()
      .nullable()
      .openapi({ description: "The winner's order (the seller's view; the winner's own)" }),
    relation: z
      .enum(["selling", "leading", "outbid", "won", "lost"])
      .openapi({ description: "The caller's part in it" }),
  })
  .openapi("AuctionListItem");

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- auctions module (src/services/auctions/) ------------------------------
/**
 * A D1 mirror of each auction, for lists (a seller's auctions, a buyer's) and search. The
 * AuctionObject Durable Object is the truth; it writes here from its own outbox after each change.
 */
export const auctions = sqliteTable(
  "auctions",
  {
    productId: text("product_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    variantId: text("variant_id").notNull(),
    name: text("name").notNull(),
    currency: text("currency").notNull(),
    startPrice: integer("start_price").notNull(),
    reservePrice: integer("reserve_price"),
    buyNowPrice: integer("buy_now_price"),
    endsAt: integer("ends_at").notNull(),
    status: text("status", { enum: ["live", "ended"] })
      .notNull()
      .default("live"),
    /** How it ended: `sold` (a winner met the reserve), `unsold`, `bought_now`. */
    outcome: text("outcome", { enum: ["sold", "unsold", "bought_now"] }),
    currentPrice: integer("current_price").notNull(),
    bidCount: integer("bid_count").notNull().default(0),
    leaderId: text("leader_id"),
    winnerId: text("winner_id"),
    orderId: text("order_id"),
    /** The object's change counter of this copy: an older copy never overwrites a newer one. */
    seq: integer("seq").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("auctions_seller_idx").on(t.sellerId, t.productId),
    index("auctions_status_ends_idx").on(t.status, t.endsAt),
  ],
);

/** Every accepted bid, mirrored from the auction object (maximums stay private: no route shows another's). */
export const auctionBids = sqliteTable(
  "auction_bids",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    bidderId: text("bidder_id").notNull(),
    maxAmount: integer("max_amount").notNull(),
    /** The auction's price just after this bid. */
    priceAfter: integer("price_after").notNull(),
    placedAt: integer("placed_at").notNull(),
  },
  (t) => [
    index("auction_bids_bidder_idx").on(t.bidderId, t.productId),
    index("auction_bids_product_idx").on(t.productId, t.placedAt),
  ],
);

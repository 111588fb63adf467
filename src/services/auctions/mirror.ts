import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { getDb, rowsPerInsert, type Db } from "../../db/client";
import { auctionBids, auctions } from "../../db/schema/auctions";
import { buildEvent, dispatchEvents, outboxInsertMany, type DomainEvent } from "../events";
import type { AuctionSnapshot, AuctionTerms, MirrorRow } from "./book";

/**
 * The auction object's changes, copied to D1: the `auctions` row (lists, a buyer's and a
 * seller's views), the bids (analytics), and the domain events (outbid and won notices, the end)
 * through the transactional outbox, all in one batch. A copy older than the one D1 holds (by the
 * object's `seq`) changes nothing, so a retried or late flush is harmless.
 */

/** The row a new auction listing starts with, for the catalog's product-creation batch. */
export function auctionRowInsert(db: Db, terms: AuctionTerms) {
  return db.insert(auctions).values({
    productId: terms.product_id,
    sellerId: terms.seller_id,
    variantId: terms.variant_id,
    name: terms.name,
    currency: terms.currency,
    startPrice: terms.start_price,
    reservePrice: terms.reserve_price,
    buyNowPrice: terms.buy_now_price,
    endsAt: terms.ends_at,
    currentPrice: terms.start_price,
    seq: 0,
  });
}

export async function writeMirror(
  env: Pick<Env, "DB" | "EVENTS">,
  snap: AuctionSnapshot,
  rows: MirrorRow[],
): Promise<void> {
  const db = getDb(env);
  const m = snap.meta;
  const copy = {
    sellerId: m.seller_id,
    variantId: m.variant_id,
    name: m.name,
    currency: m.currency,
    startPrice: m.start_price,
    reservePrice: m.reserve_price,
    buyNowPrice: m.buy_now_price,
    endsAt: m.ends_at,
    status: m.status,
    outcome: m.outcome,
    currentPrice: m.final_price ?? snap.standing.currentPrice,
    bidCount: snap.bid_count,
    leaderId: snap.standing.leader?.bidderId ?? null,
    winnerId: m.winner_id,
    orderId: m.order_id,
    seq: m.seq,
    updatedAt: new Date().toISOString(),
  };
  const bids = rows
    .filter((r) => r.kind === "bid")
    .map((r) => {
      const b = JSON.parse(r.payload) as {
        bid_id: string;
        bidder_id: string;
        max_amount: number;
        price_after: number;
        placed_at: number;
      };
      return {
        id: b.bid_id,
        productId: m.product_id,
        bidderId: b.bidder_id,
        maxAmount: b.max_amount,
        priceAfter: b.price_after,
        placedAt: b.placed_at,
      };
    });
  const events = rows.flatMap((r) => eventOf(snap, r));
  const statements: BatchItem<"sqlite">[] = [
    db
      .insert(auctions)
      .values({ productId: m.product_id, ...copy })
      .onConflictDoUpdate({ target: auctions.productId, set: copy, setWhere: sql`${auctions.seq} < ${m.seq}` }),
  ];
  const per = rowsPerInsert(auctionBids);
  for (let i = 0; i < bids.length; i += per)
    statements.push(
      db
        .insert(auctionBids)
        .values(bids.slice(i, i + per))
        .onConflictDoNothing(),
    );
  statements.push(...outboxInsertMany(db, events));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await dispatchEvents(env, events);
}

function eventOf(snap: AuctionSnapshot, row: MirrorRow): DomainEvent[] {
  const m = snap.meta;
  const p = JSON.parse(row.payload) as Record<string, unknown>;
  switch (row.kind) {
    case "outbid":
      return [
        buildEvent("auction.outbid", {
          product_id: m.product_id,
          user_id: p.user_id as string,
          name: m.name,
          current_price: p.current_price as number,
          currency: m.currency,
        }),
      ];
    case "won":
      return [
        buildEvent("auction.won", {
          product_id: m.product_id,
          user_id: p.user_id as string,
          name: m.name,
          order_id: p.order_id as string,
          price: p.price as number,
          currency: m.currency,
          second_chance: p.second_chance === true,
        }),
      ];
    case "ended":
      return [
        buildEvent("auction.ended", {
          product_id: m.product_id,
          seller_id: m.seller_id,
          outcome: p.outcome as "sold" | "unsold" | "bought_now",
          price: (p.price as number | null) ?? null,
          bid_count: snap.bid_count,
        }),
      ];
    default:
      return [];
  }
}

/** The end (epoch ms) of each of these listings whose auction is live, from the D1 copy (search indexes it). */
export async function liveAuctionEnds(env: Pick<Env, "DB">, productIds: string[]): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (let i = 0; i < productIds.length; i += 90) {
    const chunk = productIds.slice(i, i + 90);
    const rows = await env.DB.prepare(
      `SELECT product_id, ends_at FROM auctions WHERE status = 'live' AND product_id IN (${chunk.map(() => "?").join(",")})`,
    )
      .bind(...chunk)
      .all<{ product_id: string; ends_at: number }>();
    for (const r of rows.results) ends.set(r.product_id, r.ends_at);
  }
  return ends;
}

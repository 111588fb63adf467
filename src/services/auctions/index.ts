import { and, desc, eq, inArray, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auctionBids, auctions } from "../../db/schema/auctions";
import { ApiError } from "../../lib/errors";
import { decodeCursor, toPage } from "../../lib/pagination";
import { errorFields, log } from "../../lib/logger";
import type { AuthContext } from "../../types";
import type { CartAddress } from "../../durable/cart";
import { findOrder, toOrder } from "../orders";
import type { AuctionTerms, Refusal } from "./book";
import { MAX_DURATION_MS, MIN_DURATION_MS } from "./rules";
import { assertShipsTo } from "./winner-order";

/**
 * Auctions (API.md, Auctions): the public module. Each listing's AuctionObject owns its bids;
 * this module reaches it, turns its refusals into API errors, and reads the D1 mirror for lists.
 */
export { auctionRowInsert, liveAuctionEnds } from "./mirror";
export type { AuctionTerms } from "./book";

export interface AuctionTermsInput {
  start_price: number;
  reserve_price?: number | null;
  buy_now_price?: number | null;
  ends_at: string;
}

function stub(env: Pick<Env, "AUCTION">, productId: string) {
  return env.AUCTION.get(env.AUCTION.idFromName(productId));
}

function invalid(field: string, message: string): never {
  throw new ApiError("validation_failed", message, { details: [{ field, code: "invalid", message }] });
}

/**
 * The terms of a new listing, checked: a start price, a reserve and buy-it-now price not under
 * it (buy-it-now not under the reserve either), an end 1 to 10 days ahead, one variant with one unit.
 */
export function auctionTerms(
  input: AuctionTermsInput,
  product: {
    id: string;
    sellerId: string;
    name: string;
    currency: string;
    variants: { id: string; stockAvailable: number }[];
  },
  now = Date.now(),
): AuctionTerms {
  const endsAt = Date.parse(input.ends_at);
  if (endsAt - now < MIN_DURATION_MS || endsAt - now > MAX_DURATION_MS)
    invalid("auction.ends_at", "An auction ends 1 to 10 days from now");
  const reserve = input.reserve_price ?? null;
  const buyNow = input.buy_now_price ?? null;
  if (reserve !== null && reserve < input.start_price)
    invalid("auction.reserve_price", "The reserve cannot be under the start price");
  if (buyNow !== null && buyNow <= input.start_price)
    invalid("auction.buy_now_price", "The buy-it-now price must be above the start price");
  if (buyNow !== null && reserve !== null && buyNow < reserve)
    invalid("auction.buy_now_price", "The buy-it-now price cannot be under the reserve");
  if (product.variants.length !== 1) invalid("variants", "An auction sells a single item: one variant");
  if (product.variants[0].stockAvailable !== 1)
    invalid("stock_available", "An auction sells a single item: stock_available 1");
  return {
    product_id: product.id,
    seller_id: product.sellerId,
    variant_id: product.variants[0].id,
    name: product.name,
    currency: product.currency,
    start_price: input.start_price,
    reserve_price: reserve,
    buy_now_price: buyNow,
    ends_at: endsAt,
  };
}

/** Schedules the close as soon as the listing exists (if this fails, the first call or the cron does it). */
export async function openAuction(env: Pick<Env, "AUCTION">, terms: AuctionTerms): Promise<void> {
  try {
    await stub(env, terms.product_id).open(terms);
  } catch (err) {
    log("warn", "auction object not opened; its first call or the sweep will", {
      product_id: terms.product_id,
      ...errorFields(err),
    });
  }
}

function refused(r: Refusal): never {
  if (r.code === "not_found") throw new ApiError("not_found", "No auction for this product");
  throw new ApiError(
    r.code,
    r.message,
    r.next_minimum !== undefined
      ? { details: [{ field: "max_amount", code: r.code, message: `next_minimum ${r.next_minimum}` }] }
      : {},
  );
}

export async function getAuction(env: Pick<Env, "AUCTION">, productId: string, callerId: string | null) {
  const view = await stub(env, productId).view(productId, callerId);
  if (!view) throw new ApiError("not_found", "No auction for this product");
  return view;
}

async function checkAddress(env: Env, productId: string, address: CartAddress | undefined): Promise<void> {
  if (!address) return;
  const o = await stub(env, productId).outcome(productId);
  if (!o) throw new ApiError("not_found", "No auction for this product");
  await assertShipsTo(env, productId, o.seller_id, address);
}

/** A watcher's WebSocket, accepted by the auction's object (hibernating between bids). */
export function watch(env: Pick<Env, "AUCTION">, productId: string, request: Request): Promise<Response> {
  return stub(env, productId).fetch(request);
}

/** A bid: idempotent by the caller's Idempotency-Key inside the object too (a retry after a lost reply counts once). */
export async function placeBid(
  env: Env,
  auth: AuthContext,
  productId: string,
  body: { max_amount: number; shipping_address?: CartAddress },
  idemKey: string | undefined,
) {
  await checkAddress(env, productId, body.shipping_address);
  const r = await stub(env, productId).bid(productId, {
    bidderId: auth.userId,
    maxAmount: body.max_amount,
    idem: idemKey ? `${auth.userId}:${idemKey}` : null,
    address: body.shipping_address ?? null,
  });
  if (!r.ok) refused(r);
  return { bid_id: r.bid_id, current_price: r.current_price, leading: r.leading };
}

export async function buyNow(env: Env, auth: AuthContext, productId: string, body: { shipping_address?: CartAddress }) {
  await checkAddress(env, productId, body.shipping_address);
  const r = await stub(env, productId).buyNow(productId, auth.userId, body.shipping_address ?? null);
  if (!r.ok) refused(r);
  return orderView(env, r.order_id);
}

async function orderView(env: Env, orderId: string) {
  const found = await findOrder(env, orderId);
  // The object retries a failed order write from its alarm; until then the buyer cannot pay.
  if (!found) throw new ApiError("service_unavailable", "The order is being written; try again in a few seconds");
  return toOrder(found.order, found.items, { viewer: "buyer" });
}

/**
 * The seller offers an unpaid winner's item to the runner-up at their maximum: only once the
 * winner's order was cancelled (unpaid after 48 h, or cancelled by the buyer).
 */
export async function offerSecondChance(env: Env, auth: AuthContext, productId: string) {
  const o = await stub(env, productId).outcome(productId);
  if (!o) throw new ApiError("not_found", "No auction for this product");
  if (auth.role !== "admin" && auth.userId !== o.seller_id)
    throw new ApiError("forbidden", "Only the listing's seller can make a second-chance offer");
  if (o.status !== "ended" || o.outcome !== "sold" || !o.order_id)
    throw new ApiError("invalid_state", "Only an auction that sold to a winner can be offered to the runner-up");
  const winner = await findOrder(env, o.order_id);
  if (winner && winner.order.status !== "cancelled")
    throw new ApiError("invalid_state", "The winner's order is not cancelled: it can still be paid");
  const r = await stub(env, productId).secondChance(productId);
  if (!r.ok) refused(r);
  const found = await findOrder(env, r.order_id);
  if (!found) throw new ApiError("service_unavailable", "The order is being written; try again in a few seconds");
  return toOrder(found.order, found.items, { viewer: "seller", sellerId: o.seller_id });
}

type AuctionRow = typeof auctions.$inferSelect;

function listItem(row: AuctionRow, relation: "selling" | "leading" | "outbid" | "won" | "lost", showOrder: boolean) {
  return {
    product_id: row.productId,
    name: row.name,
    status: row.status,
    outcome: row.outcome,
    current_price: row.currentPrice,
    bid_count: row.bidCount,
    ends_at: new Date(row.endsAt).toISOString(),
    currency: row.currency,
    order_id: showOrder ? row.orderId : null,
    relation,
  };
}

/** A seller's auctions, newest first (product ids sort by time). */
export async function listSellerAuctions(env: Pick<Env, "DB">, sellerId: string, limit: number, cursor?: string) {
  const where = [eq(auctions.sellerId, sellerId)];
  if (cursor) where.push(lt(auctions.productId, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(auctions)
    .where(and(...where))
    .orderBy(desc(auctions.productId))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.productId]);
  return { data: page.data.map((r) => listItem(r, "selling", true)), next_cursor: page.next_cursor };
}

/** The auctions a buyer bid on, newest first, each with their part: leading, outbid, won or lost. */
export async function listBidderAuctions(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const db = getDb(env);
  const where = [eq(auctionBids.bidderId, userId)];
  if (cursor) where.push(lt(auctionBids.productId, String(decodeCursor(cursor, 1)[0])));
  const ids = await db
    .selectDistinct({ id: auctionBids.productId })
    .from(auctionBids)
    .where(and(...where))
    .orderBy(desc(auctionBids.productId))
    .limit(limit + 1)
    .all();
  const page = toPage(ids, limit, (r) => [r.id]);
  if (page.data.length === 0) return { data: [], next_cursor: null };
  const rows = await db
    .select()
    .from(auctions)
    .where(
      inArray(
        auctions.productId,
        page.data.map((r) => r.id),
      ),
    )
    .all();
  const byId = new Map(rows.map((r) => [r.productId, r]));
  const data = page.data.flatMap(({ id }) => {
    const row = byId.get(id);
    if (!row) return [];
    const won = row.status === "ended" && row.winnerId === userId;
    const relation = row.status === "live" ? (row.leaderId === userId ? "leading" : "outbid") : won ? "won" : "lost";
    return [listItem(row, relation, won)];
  });
  return { data, next_cursor: page.next_cursor };
}

/** Cron: closes auctions whose end passed while their object was never called (its alarm is the usual way). */
export async function sweepEndedAuctions(
  env: Pick<Env, "DB" | "AUCTION">,
  now = Date.now(),
  batch = 50,
): Promise<number> {
  const due = await getDb(env)
    .select({ id: auctions.productId })
    .from(auctions)
    .where(and(eq(auctions.status, "live"), lt(auctions.endsAt, now - 60_000)))
    .limit(batch)
    .all();
  let closed = 0;
  for (const { id } of due) {
    try {
      const view = await stub(env, id).close(id);
      if (view?.status === "ended") closed++;
    } catch (err) {
      log("warn", "auction sweep failed", { product_id: id, ...errorFields(err) });
    }
  }
  return closed;
}

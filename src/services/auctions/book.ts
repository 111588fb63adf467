import { newId } from "../../lib/ids";
import type { CartAddress } from "../../durable/cart";
import { buyNowOpen, endAfterBid, nextMinimum, reserveMet, standing, type PlacedBid, type Standing } from "./rules";

/**
 * One auction's book in its object's SQLite storage: the terms, every bid, and an outbox of
 * what the D1 mirror has not seen yet (written in the same synchronous step as the change it
 * describes, so nothing is lost between the object and D1). Each method runs without awaiting,
 * so the object's single thread applies bids one at a time, in arrival order.
 *
 * Longer than 300 lines: the auction's state machine (proxy bidding, soft close, buy-now, reserve,
 * end, second chance) over one storage; its rules (rules.ts), terms (terms.ts) and D1 mirror
 * (mirror.ts) are apart.
 */

export interface AuctionTerms {
  product_id: string;
  seller_id: string;
  variant_id: string;
  name: string;
  currency: string;
  start_price: number;
  reserve_price: number | null;
  buy_now_price: number | null;
  /** Epoch ms. */
  ends_at: number;
}

export type Outcome = "sold" | "unsold" | "bought_now";

export interface AuctionMeta extends AuctionTerms {
  status: "live" | "ended";
  outcome: Outcome | null;
  winner_id: string | null;
  final_price: number | null;
  order_id: string | null;
  /** 1 while the winner's order is still to be written (the object retries from its alarm). */
  order_pending: number;
  second_chance_order_id: string | null;
  /** Bumped on every change: the D1 mirror keeps the newest copy. */
  seq: number;
}

export interface AuctionSnapshot {
  meta: AuctionMeta;
  standing: Standing;
  bid_count: number;
}

export interface BidReply {
  bid_id: string;
  current_price: number;
  leading: boolean;
}

export type Refusal = {
  ok: false;
  code: "bid_too_low" | "auction_ended" | "forbidden" | "invalid_state" | "idempotency_key_reused" | "not_found";
  message: string;
  next_minimum?: number;
};

export interface MirrorRow {
  id: number;
  kind: "bid" | "outbid" | "won" | "ended";
  payload: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    product_id TEXT NOT NULL,
    seller_id TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    start_price INTEGER NOT NULL,
    reserve_price INTEGER,
    buy_now_price INTEGER,
    ends_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'live',
    outcome TEXT,
    winner_id TEXT,
    final_price INTEGER,
    order_id TEXT,
    order_pending INTEGER NOT NULL DEFAULT 0,
    second_chance_order_id TEXT,
    seq INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE IF NOT EXISTS bids (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    bid_id TEXT NOT NULL UNIQUE,
    bidder_id TEXT NOT NULL,
    max_amount INTEGER NOT NULL,
    placed_at INTEGER NOT NULL,
    idem TEXT UNIQUE,
    reply TEXT NOT NULL,
    address TEXT
  );
  CREATE TABLE IF NOT EXISTS mirror (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
  );
`;

export class AuctionBook {
  /** Every accepted bid in order; a few hundred at most per listing, so kept in memory for the standing. */
  private bids: PlacedBid[];

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    this.bids = sql
      .exec<{ seq: number; bidder_id: string; max_amount: number }>(
        "SELECT seq, bidder_id, max_amount FROM bids ORDER BY seq",
      )
      .toArray()
      .map((r) => ({ seq: r.seq, bidderId: r.bidder_id, maxAmount: r.max_amount }));
  }

  meta(): AuctionMeta | null {
    return (
      (this.sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM meta WHERE id = 1").toArray()[0] as unknown as
        | AuctionMeta
        | undefined) ?? null
    );
  }

  /** Writes the terms once (later calls change nothing). */
  open(terms: AuctionTerms): AuctionMeta {
    this.sql.exec(
      `INSERT OR IGNORE INTO meta (id, product_id, seller_id, variant_id, name, currency, start_price, reserve_price, buy_now_price, ends_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      terms.product_id,
      terms.seller_id,
      terms.variant_id,
      terms.name,
      terms.currency,
      terms.start_price,
      terms.reserve_price,
      terms.buy_now_price,
      terms.ends_at,
    );
    return this.meta()!;
  }

  snapshot(): AuctionSnapshot | null {
    const meta = this.meta();
    if (!meta) return null;
    return { meta, standing: standing(this.bids, meta.start_price), bid_count: this.bids.length };
  }

  /** The public view (API.md): `leading` only for a signed-in caller. */
  view(callerId: string | null) {
    const s = this.snapshot();
    if (!s) return null;
    const { meta, standing: st } = s;
    const price = meta.final_price ?? st.currentPrice;
    return {
      product_id: meta.product_id,
      status: meta.status,
      current_price: price,
      next_minimum: nextMinimum(s.bid_count, st.currentPrice),
      bid_count: s.bid_count,
      ends_at: new Date(meta.ends_at).toISOString(),
      reserve_met: reserveMet(meta.reserve_price, st.leader),
      buy_now_price: meta.buy_now_price,
      ...(meta.status === "ended" ? { outcome: meta.outcome } : {}),
      ...(callerId ? { leading: st.leader?.bidderId === callerId && meta.outcome !== "bought_now" } : {}),
    };
  }

  /** A bid already placed under this idempotency key: its first reply (another amount: refused). */
  replay(idem: string, maxAmount: number): BidReply | Refusal | null {
    const row = this.sql
      .exec<{ reply: string; max_amount: number }>("SELECT reply, max_amount FROM bids WHERE idem = ?", idem)
      .toArray()[0];
    if (!row) return null;
    if (row.max_amount !== maxAmount)
      return { ok: false, code: "idempotency_key_reused", message: "This Idempotency-Key was used for another bid" };
    return JSON.parse(row.reply) as BidReply;
  }

  /**
   * Places a bid by the rules: not the seller's, not after the end, at least `next_minimum`,
   * and for the leader more than their own maximum. A bid in the last 120 s extends the end.
   */
  bid(input: {
    bidderId: string;
    maxAmount: number;
    idem: string | null;
    address: CartAddress | null;
    now: number;
  }): (BidReply & { ok: true; extended: boolean; replayed: boolean; snapshot: AuctionSnapshot }) | Refusal {
    const meta = this.meta();
    if (!meta) return { ok: false, code: "not_found", message: "No auction for this product" };
    if (input.idem) {
      const earlier = this.replay(input.idem, input.maxAmount);
      if (earlier && "ok" in earlier) return earlier;
      if (earlier) return { ok: true, ...earlier, extended: false, replayed: true, snapshot: this.snapshot()! };
    }
    if (meta.status !== "live" || input.now >= meta.ends_at)
      return { ok: false, code: "auction_ended", message: "This auction has ended" };
    if (input.bidderId === meta.seller_id)
      return { ok: false, code: "forbidden", message: "A seller cannot bid on their own listing" };
    const before = standing(this.bids, meta.start_price);
    const minimum = nextMinimum(this.bids.length, before.currentPrice);
    if (input.maxAmount < minimum)
      return {
        ok: false,
        code: "bid_too_low",
        message: `The next bid must be at least ${minimum}`,
        next_minimum: minimum,
      };
    if (before.leader?.bidderId === input.bidderId && input.maxAmount <= before.leader.maxAmount) {
      return {
        ok: false,
        code: "bid_too_low",
        message: `Your maximum is already ${before.leader.maxAmount}; a new one must be higher`,
        next_minimum: before.leader.maxAmount + 1,
      };
    }

    const bidId = newId("bid", input.now);
    const seq = (this.bids.at(-1)?.seq ?? 0) + 1;
    const placed: PlacedBid = { seq, bidderId: input.bidderId, maxAmount: input.maxAmount };
    const after = standing([...this.bids, placed], meta.start_price);
    const reply: BidReply = {
      bid_id: bidId,
      current_price: after.currentPrice,
      leading: after.leader!.bidderId === input.bidderId,
    };
    const endsAt = endAfterBid(meta.ends_at, input.now);
    this.sql.exec(
      "INSERT INTO bids (seq, bid_id, bidder_id, max_amount, placed_at, idem, reply, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      seq,
      bidId,
      input.bidderId,
      input.maxAmount,
      input.now,
      input.idem,
      JSON.stringify(reply),
      input.address ? JSON.stringify(input.address) : null,
    );
    this.sql.exec("UPDATE meta SET ends_at = ?, seq = seq + 1 WHERE id = 1", endsAt);
    this.bids.push(placed);
    const previousLeader =
      before.leader && before.leader.bidderId !== after.leader!.bidderId ? before.leader.bidderId : null;
    this.queue("bid", {
      bid_id: bidId,
      bidder_id: input.bidderId,
      max_amount: input.maxAmount,
      price_after: after.currentPrice,
      placed_at: input.now,
    });
    if (previousLeader) this.queue("outbid", { user_id: previousLeader, current_price: after.currentPrice });
    // The snapshot from what was just written, without reading the row back or ranking the bids again.
    const snapshot = {
      meta: { ...meta, ends_at: endsAt, seq: meta.seq + 1 },
      standing: after,
      bid_count: this.bids.length,
    };
    return { ok: true, ...reply, extended: endsAt !== meta.ends_at, replayed: false, snapshot };
  }

  /** Closes a live auction whose end has come: a winner whose maximum met the reserve buys at the price; else unsold. */
  closeIfDue(now: number): AuctionMeta | null {
    const meta = this.meta();
    if (meta?.status !== "live" || now < meta.ends_at) return null;
    const st = standing(this.bids, meta.start_price);
    if (st.leader && reserveMet(meta.reserve_price, st.leader)) {
      this.end("sold", st.leader.bidderId, st.currentPrice, now);
    } else {
      this.end("unsold", null, null, now);
    }
    return this.meta();
  }

  /** Buy it now: closes the auction at once for this buyer, while the rules allow it. */
  buyNow(userId: string, now: number): { ok: true; meta: AuctionMeta } | Refusal {
    const meta = this.meta();
    if (!meta) return { ok: false, code: "not_found", message: "No auction for this product" };
    // A retry of this buyer's own buy-it-now answers with its order.
    if (meta.outcome === "bought_now" && meta.winner_id === userId) return { ok: true, meta };
    if (meta.status !== "live" || now >= meta.ends_at)
      return { ok: false, code: "auction_ended", message: "This auction has ended" };
    if (userId === meta.seller_id)
      return { ok: false, code: "forbidden", message: "A seller cannot buy their own listing" };
    const st = standing(this.bids, meta.start_price);
    if (!buyNowOpen(meta.buy_now_price, meta.reserve_price, st.leader)) {
      return {
        ok: false,
        code: "invalid_state",
        message:
          meta.buy_now_price === null
            ? "This auction has no buy-it-now price"
            : "Buy it now closed when the bidding reached the reserve (or, without one, at the first bid)",
      };
    }
    this.end("bought_now", userId, meta.buy_now_price!, now);
    return { ok: true, meta: this.meta()! };
  }

  private end(outcome: Outcome, winnerId: string | null, price: number | null, now: number): void {
    const orderId = winnerId ? newId("order", now) : null;
    this.sql.exec(
      "UPDATE meta SET status = 'ended', outcome = ?, winner_id = ?, final_price = ?, order_id = ?, order_pending = ?, ends_at = MIN(ends_at, ?), seq = seq + 1 WHERE id = 1",
      outcome,
      winnerId,
      price,
      orderId,
      orderId ? 1 : 0,
      now,
    );
    this.queue("ended", { outcome, winner_id: winnerId, price, order_id: orderId });
  }

  /** An order of this auction is written (the winner's or the runner-up's): the alarm stops retrying it, and its buyer is told. */
  orderWritten(orderId: string, buyerId: string, price: number): void {
    this.sql.exec(
      "UPDATE meta SET order_pending = 0 WHERE id = 1 AND (order_id = ? OR second_chance_order_id = ?)",
      orderId,
      orderId,
    );
    this.queue("won", {
      user_id: buyerId,
      order_id: orderId,
      price,
      second_chance: this.meta()!.second_chance_order_id === orderId,
    });
  }

  /**
   * Second chance: after the winner's order was cancelled unpaid, the seller offers the item to
   * the runner-up at their maximum (once).
   */
  secondChance(now: number): { ok: true; buyerId: string; price: number; orderId: string } | Refusal {
    const meta = this.meta();
    if (!meta) return { ok: false, code: "not_found", message: "No auction for this product" };
    if (meta.outcome !== "sold")
      return {
        ok: false,
        code: "invalid_state",
        message: "Only an auction that sold to a winner can be offered to the runner-up",
      };
    if (meta.second_chance_order_id)
      return { ok: false, code: "invalid_state", message: "The runner-up already has an offer" };
    const st = standing(this.bids, meta.start_price);
    if (!st.runnerUp) return { ok: false, code: "invalid_state", message: "There is no runner-up" };
    const orderId = newId("order", now);
    this.sql.exec("UPDATE meta SET second_chance_order_id = ?, order_pending = 1, seq = seq + 1 WHERE id = 1", orderId);
    return { ok: true, buyerId: st.runnerUp.bidderId, price: st.runnerUp.maxAmount, orderId };
  }

  /** The last address a bidder gave (for their order), if any. */
  addressOf(bidderId: string): CartAddress | null {
    const row = this.sql
      .exec<{ address: string | null }>(
        "SELECT address FROM bids WHERE bidder_id = ? AND address IS NOT NULL ORDER BY seq DESC LIMIT 1",
        bidderId,
      )
      .toArray()[0];
    return row?.address ? (JSON.parse(row.address) as CartAddress) : null;
  }

  private queue(kind: MirrorRow["kind"], payload: Record<string, unknown>): void {
    this.sql.exec("INSERT INTO mirror (kind, payload) VALUES (?, ?)", kind, JSON.stringify(payload));
  }

  /** What the D1 mirror has not yet taken, oldest first. */
  pendingMirror(limit = 200): MirrorRow[] {
    return this.sql
      .exec<{ id: number; kind: string; payload: string }>(
        "SELECT id, kind, payload FROM mirror ORDER BY id LIMIT ?",
        limit,
      )
      .toArray() as MirrorRow[];
  }

  mirrored(upTo: number): void {
    this.sql.exec("DELETE FROM mirror WHERE id <= ?", upTo);
  }
}

import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql } from "../lib/platform-limits";
import { errorFields, log } from "../lib/logger";
import type { CartAddress } from "./cart";
import { AuctionBook, type AuctionMeta, type AuctionTerms } from "../services/auctions/book";
import { writeMirror } from "../services/auctions/mirror";
import { createAuctionOrder } from "../services/auctions/winner-order";
import { loadTerms } from "../services/auctions/terms";
import { nextMinimum } from "../services/auctions/rules";

/**
 * One auction listing (named by its product id): the single owner of its bids. A shell over
 * the auctions module: AuctionBook keeps the book in this object's SQLite storage and applies
 * the rules; this class adds what only an object has: its alarm (the close at `ends_at`, moved by
 * every extension; retries of the winner's order and of the D1 mirror) and the live WebSockets,
 * accepted with the hibernation API so idle watchers cost nothing between bids.
 */

/** Retry delay for the mirror or a winner's order after a failure. */
const RETRY_MS = 5_000;

/** API.md's message, plus the minimum next bid while the auction is live (so watchers need not ask). */
type LiveMessage = {
  type: "bid" | "extended" | "ended";
  current_price: number;
  bid_count: number;
  ends_at: string;
  next_minimum?: number;
};

export class AuctionObject extends DurableObject<Env> {
  private book!: AuctionBook;
  private flushing: Promise<void> | null = null;
  private dirty = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.book = new AuctionBook(ctx.storage.sql);
    });
    // Keep-alives are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** The terms, written once; the close is scheduled. A call before `open` adopts the D1 row the catalog wrote. */
  private async ensure(productId: string): Promise<AuctionMeta | null> {
    const meta = this.book.meta();
    if (meta) return meta;
    const terms = await loadTerms(this.env, productId);
    return terms ? this.open(terms) : null;
  }

  async open(terms: AuctionTerms): Promise<AuctionMeta> {
    const meta = this.book.open(terms);
    await this.reschedule();
    return meta;
  }

  async view(productId: string, callerId: string | null) {
    if (!(await this.ensure(productId))) return null;
    await this.closeIfDue();
    return this.book.view(callerId);
  }

  async bid(
    productId: string,
    input: { bidderId: string; maxAmount: number; idem: string | null; address: CartAddress | null },
  ) {
    if (!(await this.ensure(productId)))
      return { ok: false as const, code: "not_found" as const, message: "No auction for this product" };
    const r = this.book.bid({ ...input, now: Date.now() });
    if (!r.ok) {
      if (r.code === "auction_ended") await this.closeIfDue();
      return r;
    }
    if (!r.replayed) {
      const { meta, standing, bid_count } = r.snapshot;
      const message = {
        current_price: standing.currentPrice,
        bid_count,
        ends_at: new Date(meta.ends_at).toISOString(),
        next_minimum: nextMinimum(bid_count, standing.currentPrice),
      };
      this.broadcast({ type: "bid", ...message });
      if (r.extended) {
        this.broadcast({ type: "extended", ...message });
        await this.reschedule();
      }
    }
    this.flushSoon();
    return { ok: true as const, bid_id: r.bid_id, current_price: r.current_price, leading: r.leading };
  }

  async buyNow(productId: string, userId: string, address: CartAddress | null) {
    if (!(await this.ensure(productId)))
      return { ok: false as const, code: "not_found" as const, message: "No auction for this product" };
    const r = this.book.buyNow(userId, Date.now());
    if (!r.ok) return r;
    this.announceEnd();
    const orderId = r.meta.order_id!;
    await this.writeOrder(r.meta, orderId, userId, r.meta.final_price!, address ?? this.book.addressOf(userId));
    return { ok: true as const, order_id: orderId };
  }

  /** The seller's second-chance offer to the runner-up (the caller checked the winner's order was cancelled). */
  async secondChance(productId: string) {
    if (!(await this.ensure(productId)))
      return { ok: false as const, code: "not_found" as const, message: "No auction for this product" };
    const r = this.book.secondChance(Date.now());
    if (!r.ok) return r;
    await this.writeOrder(this.book.meta()!, r.orderId, r.buyerId, r.price, this.book.addressOf(r.buyerId));
    return { ok: true as const, order_id: r.orderId };
  }

  /** Closes now if the end has passed (the cron's backstop for objects never called since they opened). */
  async close(productId: string) {
    if (!(await this.ensure(productId))) return null;
    await this.closeIfDue();
    return this.book.view(null);
  }

  /** Who won, for the caller's checks (the seller's second-chance offer). */
  async outcome(productId: string) {
    const meta = await this.ensure(productId);
    return meta
      ? {
          status: meta.status,
          outcome: meta.outcome,
          winner_id: meta.winner_id,
          order_id: meta.order_id,
          seller_id: meta.seller_id,
        }
      : null;
  }

  override async alarm(): Promise<void> {
    await this.closeIfDue();
    const meta = this.book.meta();
    if (meta?.order_pending && meta.order_id && meta.winner_id) {
      const second = meta.second_chance_order_id;
      if (second) {
        const st = this.book.snapshot()!.standing;
        if (st.runnerUp)
          await this.writeOrder(
            meta,
            second,
            st.runnerUp.bidderId,
            st.runnerUp.maxAmount,
            this.book.addressOf(st.runnerUp.bidderId),
          );
      } else {
        await this.writeOrder(
          meta,
          meta.order_id,
          meta.winner_id,
          meta.final_price!,
          this.book.addressOf(meta.winner_id),
        );
      }
    }
    await this.flush();
    await this.reschedule();
  }

  /** WebSocket watchers: GET /auctions/{id}/live is forwarded here with its Upgrade header. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Watchers only listen; anything but the auto-answered "ping" is ignored.
    void ws;
    void message;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  private async closeIfDue(): Promise<void> {
    const closed = this.book.closeIfDue(Date.now());
    if (!closed) return;
    this.announceEnd();
    if (closed.order_id && closed.winner_id)
      await this.writeOrder(
        closed,
        closed.order_id,
        closed.winner_id,
        closed.final_price!,
        this.book.addressOf(closed.winner_id),
      );
  }

  private announceEnd(): void {
    const s = this.book.snapshot()!;
    this.broadcast({
      type: "ended",
      current_price: s.meta.final_price ?? s.standing.currentPrice,
      bid_count: s.bid_count,
      ends_at: new Date(s.meta.ends_at).toISOString(),
    });
    this.flushSoon();
  }

  /** An order of this auction; on failure it stays pending and the alarm retries it (the order id is fixed, so never twice). */
  private async writeOrder(
    meta: AuctionMeta,
    orderId: string,
    buyerId: string,
    price: number,
    address: CartAddress | null,
  ): Promise<void> {
    try {
      await createAuctionOrder(this.env, {
        orderId,
        productId: meta.product_id,
        variantId: meta.variant_id,
        sellerId: meta.seller_id,
        name: meta.name,
        currency: meta.currency,
        buyerId,
        price,
        address,
      });
      this.book.orderWritten(orderId, buyerId, price);
      this.flushSoon();
    } catch (err) {
      log("error", "auction order not written; the alarm retries", {
        product_id: meta.product_id,
        order_id: orderId,
        ...errorFields(err),
      });
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    }
  }

  private broadcast(message: LiveMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // A socket closing meanwhile: its close handler cleans up.
      }
    }
  }

  /** Copies the outbox to D1 after the reply; bursts of bids share one flush. */
  private flushSoon(): void {
    this.dirty = true;
    if (!this.flushing) this.flushing = this.flush().finally(() => (this.flushing = null));
  }

  private async flush(): Promise<void> {
    for (;;) {
      this.dirty = false;
      const rows = this.book.pendingMirror();
      const snap = this.book.snapshot();
      if (!snap || rows.length === 0) return;
      try {
        await writeMirror(this.env, snap, rows);
        this.book.mirrored(rows.at(-1)!.id);
      } catch (err) {
        log("warn", "auction mirror failed; the alarm retries", {
          product_id: snap.meta.product_id,
          ...errorFields(err),
        });
        await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
        return;
      }
      if (!this.dirty && this.book.pendingMirror(1).length === 0) return;
    }
  }

  /** The next alarm: the close while live, sooner while a mirror copy or an order is outstanding. */
  private async reschedule(): Promise<void> {
    const meta = this.book.meta();
    if (!meta) return;
    const due: number[] = [];
    if (meta.status === "live") due.push(meta.ends_at);
    if (meta.order_pending || this.book.pendingMirror(1).length) due.push(Date.now() + RETRY_MS);
    if (due.length) await this.ctx.storage.setAlarm(Math.min(...due));
    else await this.ctx.storage.deleteAlarm();
  }
}

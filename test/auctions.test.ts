import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { increment, nextMinimum, standing, type PlacedBid } from "../src/services/auctions/rules";
import { sweepUnpaidOrders } from "../src/services/fulfilment";
import { sweepEndedAuctions } from "../src/services/auctions";
import { indexProducts } from "../src/services/search";
import { call, createCategory, json, signup, unique, type TestUser } from "./helpers";

const DAY = 24 * 3600 * 1000;

/**
 * An independent model of API.md's rule, written from its words rather than from rules.ts: each
 * bidder's best maximum (their first bid of it), the leader the highest (the earlier on a tie),
 * and the price the lowest amount, found by counting up, that beats every other maximum by one
 * increment of the table, never above the leader's maximum; the first bid sets the start price.
 */
const TABLE: [number, number][] = [
  [100, 5],
  [500, 25],
  [2500, 50],
  [10000, 100],
  [25000, 250],
  [50000, 500],
  [100000, 1000],
];
const modelIncrement = (p: number) => TABLE.find(([below]) => p < below)?.[1] ?? 2500;
function modelPrice(bids: { bidder: string; max: number }[], start: number): { price: number; leader: string | null } {
  const best: Record<string, { max: number; at: number }> = {};
  bids.forEach((b, at) => {
    if (!best[b.bidder] || b.max > best[b.bidder].max) best[b.bidder] = { max: b.max, at };
  });
  const bidders = Object.entries(best).sort((a, b) => b[1].max - a[1].max || a[1].at - b[1].at);
  if (bidders.length === 0) return { price: start, leader: null };
  const [leader, ...others] = bidders;
  if (others.length === 0) return { price: start, leader: leader[0] };
  let p = start;
  while (!others.every(([, o]) => p >= o.max + modelIncrement(o.max)) && p < leader[1].max) p++;
  return { price: Math.min(p, leader[1].max), leader: leader[0] };
}
/** Whether the model accepts a bid on the book so far. */
function modelAccepts(
  bids: { bidder: string; max: number }[],
  start: number,
  bid: { bidder: string; max: number },
): boolean {
  const { price, leader } = modelPrice(bids, start);
  const minimum = bids.length === 0 ? start : price + modelIncrement(price);
  if (bid.max < minimum) return false;
  if (leader === bid.bidder)
    return bid.max > Math.max(...bids.filter((b) => b.bidder === bid.bidder).map((b) => b.max));
  return true;
}

async function seller(): Promise<{ seller: TestUser; category_id: string }> {
  const s = await signup({ role: "seller" });
  const cat = await createCategory(`Collectibles ${unique()}`);
  return { seller: s, category_id: cat.category_id };
}

async function listAuction(
  s: TestUser,
  category_id: string,
  auction: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  const res = await call("POST", "/products", {
    token: s.access_token,
    body: {
      name: `Signed first edition ${unique()}`,
      description: "One of one",
      category_id,
      auction: { start_price: 1000, ends_at: new Date(Date.now() + 3 * DAY).toISOString(), ...auction },
      ...extra,
    },
  });
  return res;
}

async function auction(s: TestUser, category_id: string, terms: Record<string, unknown> = {}) {
  const res = await listAuction(s, category_id, terms);
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

const objectOf = (productId: string) => env.AUCTION.get(env.AUCTION.idFromName(productId));

/** Moves the auction's end (the test's clock): its storage and its alarm. */
async function endAt(productId: string, at: number) {
  await runInDurableObject(objectOf(productId), async (_o, ctx) => {
    ctx.storage.sql.exec("UPDATE meta SET ends_at = ? WHERE id = 1", at);
    await ctx.storage.setAlarm(at);
  });
}

async function closeNow(productId: string) {
  await endAt(productId, Date.now() - 1);
  await runDurableObjectAlarm(objectOf(productId));
}

function bid(
  user: TestUser,
  productId: string,
  max_amount: number,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  return call("POST", `/auctions/${productId}/bids`, {
    token: user.access_token,
    body: { max_amount, ...extra },
    headers,
  });
}

const state = async (productId: string, user?: TestUser) =>
  json(await call("GET", `/auctions/${productId}`, user ? { token: user.access_token } : {}));

/** A watcher on the live socket, collecting messages. */
async function watcher(productId: string) {
  const res = await exports.default.fetch(
    new Request(`http://127.0.0.1/auctions/${productId}/live`, { headers: { upgrade: "websocket" } }),
  );
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: any[] = [];
  ws.accept();
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") messages.push(JSON.parse(e.data as string));
  });
  return { ws, messages };
}

describe("proxy bidding rules", () => {
  it("follow the increment table", () => {
    expect(
      [0, 99, 100, 499, 500, 2499, 2500, 9999, 10000, 24999, 25000, 49999, 50000, 99999, 100000, 1e7].map(increment),
    ).toEqual([5, 5, 25, 25, 50, 50, 100, 100, 250, 250, 500, 500, 1000, 1000, 2500, 2500]);
  });

  it("agree with an independent model over random bid sequences (property)", () => {
    const bidSeq = fc.array(
      fc.record({ bidder: fc.constantFrom("a", "b", "c", "d"), max: fc.integer({ min: 1, max: 150_000 }) }),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), bidSeq, (start, seq) => {
        const accepted: { bidder: string; max: number }[] = [];
        const placed: PlacedBid[] = [];
        for (const b of seq) {
          const before = standing(placed, start);
          const minimum = nextMinimum(placed.length, before.currentPrice);
          const ours = b.max >= minimum && !(before.leader?.bidderId === b.bidder && b.max <= before.leader.maxAmount);
          expect(ours).toBe(modelAccepts(accepted, start, b));
          if (!ours) continue;
          accepted.push(b);
          placed.push({ seq: placed.length + 1, bidderId: b.bidder, maxAmount: b.max });
          const model = modelPrice(accepted, start);
          const now = standing(placed, start);
          expect(now.currentPrice).toBe(model.price);
          expect(now.leader?.bidderId).toBe(model.leader);
          expect(now.currentPrice).toBeLessThanOrEqual(now.leader!.maxAmount);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("auction listings", () => {
  it("are products with listing auction, checked terms, one unit, and no cart", async () => {
    const { seller: s, category_id } = await seller();
    const product = await auction(s, category_id, { reserve_price: 5000, buy_now_price: 9000 });
    expect(product).toMatchObject({ listing: "auction", price: 1000, stock_available: 1 });
    expect(product.variants).toHaveLength(1);
    const tooSoon = await listAuction(s, category_id, { ends_at: new Date(Date.now() + 3600_000).toISOString() });
    expect(tooSoon.status).toBe(400);
    expect((await json(tooSoon)).error.details[0].field).toBe("auction.ends_at");
    expect((await listAuction(s, category_id, { ends_at: new Date(Date.now() + 11 * DAY).toISOString() })).status).toBe(
      400,
    );
    expect((await listAuction(s, category_id, { reserve_price: 500 })).status).toBe(400);
    expect((await listAuction(s, category_id, { buy_now_price: 900 })).status).toBe(400);
    expect((await listAuction(s, category_id, { ends_at: "next tuesday" })).status).toBe(400);
    expect((await listAuction(s, category_id, {}, { stock_available: 3 })).status).toBe(400);
    expect((await listAuction(s, category_id, { surprise: 1 })).status).toBe(400);
    // Fixed-price listings still need a price.
    const unpriced = await call("POST", "/products", {
      token: s.access_token,
      body: { name: "x", description: "y", category_id, stock_available: 1 },
    });
    expect(unpriced.status).toBe(400);

    const buyer = await signup();
    const add = await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    expect(add.status).toBe(409);
    const patch = await call("PATCH", `/products/${product.product_id}`, { token: s.access_token, body: { price: 1 } });
    expect(patch.status).toBe(409);
    const bulk = await call("POST", "/products/bulk", {
      token: s.access_token,
      body: {
        products: [
          {
            name: "n",
            description: "d",
            category_id,
            auction: { start_price: 100, ends_at: new Date(Date.now() + 2 * DAY).toISOString() },
          },
        ],
      },
    });
    expect(bulk.status).toBe(400);

    expect(await state(product.product_id)).toEqual({
      product_id: product.product_id,
      status: "live",
      current_price: 1000,
      next_minimum: 1000,
      bid_count: 0,
      ends_at: expect.any(String),
      reserve_met: false,
      buy_now_price: 9000,
    });
    expect((await state(product.product_id, buyer)).leading).toBe(false);
    const fixed = await call("POST", "/products", {
      token: s.access_token,
      body: { name: "x", description: "y", price: 100, category_id, stock_available: 1 },
    });
    expect((await call("GET", `/auctions/${(await json(fixed)).product_id}`)).status).toBe(404);
    expect((await call("GET", "/auctions/not-an-id")).status).toBe(400);
  });
});

describe("auctions in search", () => {
  it("filter and facet by listing, sort by ending soonest, and leave the index when they end", async () => {
    const { seller: s, category_id } = await seller();
    const word = `zq${unique()
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
    const later = await auction(s, category_id, { ends_at: new Date(Date.now() + 5 * DAY).toISOString() });
    const sooner = await auction(s, category_id, { ends_at: new Date(Date.now() + 2 * DAY).toISOString() });
    for (const p of [later, sooner])
      await call("PATCH", `/products/${p.product_id}`, {
        token: s.access_token,
        body: { name: `${word} lot ${p.product_id.slice(-4)}` },
      });
    const fixed = await call("POST", "/products", {
      token: s.access_token,
      body: { name: `${word} fixed`, description: "d", price: 100, category_id, stock_available: 3 },
    });
    const fixedId = (await json(fixed)).product_id;
    await indexProducts(env, [later.product_id, sooner.product_id, fixedId]);
    const all = await json(await call("GET", `/search?q=${word}`));
    expect(all.total).toBe(3);
    expect(all.facets.listing).toEqual({ auction: 2, fixed: 1 });
    const auctionsOnly = await json(await call("GET", `/search?q=${word}&listing=auction`));
    expect(auctionsOnly.data.map((h: any) => h.listing)).toEqual(["auction", "auction"]);
    expect(
      (await json(await call("GET", `/search?q=${word}&listing=fixed`))).data.map((h: any) => h.product_id),
    ).toEqual([fixedId]);
    const ending = await json(await call("GET", `/search?q=${word}&sort=ending_soonest`));
    expect(ending.data.map((h: any) => h.product_id)).toEqual([sooner.product_id, later.product_id]);
    expect((await call("GET", `/search?q=${word}&listing=both`)).status).toBe(400);
    await closeNow(sooner.product_id);
    await vi.waitFor(async () => {
      await indexProducts(env, [sooner.product_id]);
      expect(
        (await json(await call("GET", `/search?q=${word}&listing=auction`))).data.map((h: any) => h.product_id),
      ).toEqual([later.product_id]);
    });
  });
});

describe("bidding", () => {
  it("moves the price by proxy: minimums, the seller refused, ties to the earlier bid, a leader raising their own maximum", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id, { start_price: 1000 });
    const [a, b, c] = await Promise.all([signup(), signup(), signup()]);

    expect((await bid(s, product_id, 5000)).status).toBe(403);
    const low = await bid(a, product_id, 999);
    expect(low.status).toBe(409);
    expect((await json(low)).error.code).toBe("bid_too_low");

    const first = await bid(a, product_id, 3000);
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({
      bid_id: expect.stringMatching(/^bid_/),
      current_price: 1000,
      leading: true,
    });
    expect(await state(product_id, a)).toMatchObject({
      current_price: 1000,
      next_minimum: 1050,
      bid_count: 1,
      leading: true,
      reserve_met: true,
    });

    // Under next_minimum (1,050) is refused; B's 2,000 does not beat A's secret 3,000: the price goes to 2,050.
    expect((await bid(b, product_id, 1049)).status).toBe(409);
    expect(await json(await bid(b, product_id, 2000))).toMatchObject({ current_price: 2050, leading: false });
    // A raising their own maximum does not raise the price; a maximum no higher than their own is refused.
    expect(await json(await bid(a, product_id, 8000))).toMatchObject({ current_price: 2050, leading: true });
    expect((await bid(a, product_id, 8000)).status).toBe(409);
    // A tie goes to the earlier bid: C matching A's 8,000 leaves A leading, at 8,000.
    expect(await json(await bid(c, product_id, 8000))).toMatchObject({ current_price: 8000, leading: false });
    expect(await state(product_id, c)).toMatchObject({ current_price: 8000, bid_count: 4, leading: false });
    expect((await state(product_id, a)).leading).toBe(true);
    // Beating it by an increment takes the lead at the leader's maximum plus one increment.
    expect(await json(await bid(c, product_id, 20_000))).toMatchObject({ current_price: 8100, leading: true });
    expect((await bid(a, product_id, 8150)).status).toBe(409);
  });

  it("counts a retried bid once (Idempotency-Key), and refuses the same key for another amount", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id);
    const a = await signup();
    const key = { "idempotency-key": unique("bid") };
    const one = await json(await bid(a, product_id, 4000, key));
    const again = await bid(a, product_id, 4000, key);
    expect(again.status).toBe(201);
    expect((await json(again)).bid_id).toBe(one.bid_id);
    expect((await state(product_id)).bid_count).toBe(1);
    expect((await bid(a, product_id, 5000, key)).status).toBe(409);
    // The object dedupes on its own too (a retry whose first reply was lost before the key was stored).
    const direct = await objectOf(product_id).bid(product_id, {
      bidderId: a.user.user_id,
      maxAmount: 4000,
      idem: `${a.user.user_id}:${key["idempotency-key"]}`,
      address: null,
    });
    expect(direct).toMatchObject({ ok: true, bid_id: one.bid_id });
    expect((await state(product_id)).bid_count).toBe(1);
  });

  it("extends the end on a bid in the last 120 s, and pushes bids and extensions to watchers", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id);
    const [a, b] = await Promise.all([signup(), signup()]);
    const w = await watcher(product_id);
    await bid(a, product_id, 1500);
    const soon = Date.now() + 60_000;
    await endAt(product_id, soon);
    const before = Date.now();
    await bid(b, product_id, 3000);
    const after = await state(product_id);
    const ends = Date.parse(after.ends_at);
    expect(ends).toBeGreaterThanOrEqual(before + 120_000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 120_000);
    await vi.waitFor(() => expect(w.messages.map((m) => m.type)).toEqual(["bid", "bid", "extended"]), {
      timeout: 3000,
    });
    expect(w.messages[1]).toEqual({
      type: "bid",
      current_price: 1550,
      bid_count: 2,
      ends_at: after.ends_at,
      next_minimum: 1600,
    });
    expect(w.messages[2]).toMatchObject({ type: "extended", ends_at: after.ends_at });
    // "ping" is answered by the runtime without waking the object.
    const pong = new Promise((r) => w.ws.addEventListener("message", (e) => e.data === "pong" && r(true)));
    w.messages.length = 0;
    w.ws.send("ping");
    expect(await pong).toBe(true);
    w.ws.close();
    // Not a WebSocket upgrade: 426.
    expect((await call("GET", `/auctions/${product_id}/live`)).status).toBe(426);
  });

  it("tells the outbid leader (in-app), and mirrors bids for the bidder's and the seller's lists", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id);
    const [a, b] = await Promise.all([signup(), signup()]);
    await bid(a, product_id, 2000);
    await bid(b, product_id, 5000);
    await vi.waitFor(
      async () => {
        const inbox = await json(await call("GET", "/notifications", { token: a.access_token }));
        const notice = inbox.data.find((n: any) => n.kind === "auction_outbid");
        expect(notice?.data).toMatchObject({ product_id, current_price: 2050 });
      },
      { timeout: 8000, interval: 200 },
    );
    await vi.waitFor(async () => {
      const mine = await json(await call("GET", "/account/auctions", { token: a.access_token }));
      expect(mine.data).toEqual([
        expect.objectContaining({ product_id, relation: "outbid", current_price: 2050, bid_count: 2, order_id: null }),
      ]);
    });
    expect((await json(await call("GET", "/account/auctions", { token: b.access_token }))).data[0].relation).toBe(
      "leading",
    );
    const sellers = await json(await call("GET", "/seller/auctions", { token: s.access_token }));
    expect(sellers.data).toEqual([
      expect.objectContaining({ product_id, relation: "selling", status: "live", bid_count: 2 }),
    ]);
    expect((await call("GET", "/seller/auctions", { token: a.access_token })).status).toBe(403);
    const rows = await env.DB.prepare(
      "SELECT bidder_id, max_amount, price_after FROM auction_bids WHERE product_id = ? ORDER BY placed_at",
    )
      .bind(product_id)
      .all();
    expect(rows.results).toEqual([
      { bidder_id: a.user.user_id, max_amount: 2000, price_after: 1000 },
      { bidder_id: b.user.user_id, max_amount: 5000, price_after: 2050 },
    ]);
  });
});

describe("closing", () => {
  it("gives a winner whose maximum met the reserve an order at the final price, paid with /payments/pay; later bids are refused", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id, { reserve_price: 2000 });
    const [a, b] = await Promise.all([signup(), signup()]);
    const w = await watcher(product_id);
    await bid(a, product_id, 2500);
    await bid(b, product_id, 1500);
    await closeNow(product_id);
    const ended = await state(product_id, a);
    // B's 1,500 plus one increment: the reserve is a bar for the winner's maximum (API.md), not a floor on the price.
    expect(ended).toMatchObject({
      status: "ended",
      outcome: "sold",
      current_price: 1550,
      leading: true,
      reserve_met: true,
    });
    await vi.waitFor(() =>
      expect(w.messages.at(-1)).toMatchObject({ type: "ended", current_price: 1550, bid_count: 2 }),
    );
    const late = await bid(b, product_id, 9000);
    expect(late.status).toBe(409);
    expect((await json(late)).error.code).toBe("auction_ended");

    const orders = await json(await call("GET", "/orders", { token: a.access_token }));
    expect(orders.data).toHaveLength(1);
    const order = orders.data[0];
    expect(order).toMatchObject({
      status: "pending_payment",
      total_amount: 1550,
      items: [expect.objectContaining({ product_id, quantity: 1, price: 1550 })],
    });
    // The unit moved to the order.
    expect((await json(await call("GET", `/inventory/${product_id}`, { token: s.access_token }))).stock_available).toBe(
      0,
    );
    const paid = await call("POST", "/payments/pay", {
      token: a.access_token,
      body: { order_id: order.order_id, payment_method: "pm_card_visa" },
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    expect((await json(await call("GET", `/orders/${order.order_id}`, { token: a.access_token }))).status).toBe("paid");
    expect((await json(await call("GET", `/inventory/${product_id}`, { token: s.access_token }))).stock_available).toBe(
      0,
    );
    await vi.waitFor(async () => {
      const mine = await json(await call("GET", "/account/auctions", { token: a.access_token }));
      expect(mine.data[0]).toMatchObject({ relation: "won", order_id: order.order_id, status: "ended" });
    });
    expect((await json(await call("GET", "/account/auctions", { token: b.access_token }))).data[0]).toMatchObject({
      relation: "lost",
      order_id: null,
    });
  });

  it("ends unsold when the reserve is not met (no order), and a never-called auction is closed by the sweep", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id, { reserve_price: 10_000 });
    const a = await signup();
    await bid(a, product_id, 4000);
    expect((await state(product_id)).reserve_met).toBe(false);
    await closeNow(product_id);
    expect(await state(product_id)).toMatchObject({ status: "ended", outcome: "unsold" });
    expect((await json(await call("GET", "/orders", { token: a.access_token }))).data).toHaveLength(0);

    const quiet = await auction(s, category_id);
    await env.DB.prepare("UPDATE auctions SET ends_at = ? WHERE product_id = ?")
      .bind(Date.now() - 120_000, quiet.product_id)
      .run();
    await runInDurableObject(objectOf(quiet.product_id), (_o, ctx) =>
      ctx.storage.sql.exec("UPDATE meta SET ends_at = ? WHERE id = 1", Date.now() - 120_000),
    );
    expect(await sweepEndedAuctions(env)).toBeGreaterThanOrEqual(1);
    expect(await state(quiet.product_id)).toMatchObject({ status: "ended", outcome: "unsold" });
  });

  it("buy it now closes at once while allowed: before any bid without a reserve; under the reserve with one", async () => {
    const { seller: s, category_id } = await seller();
    const [a, b] = await Promise.all([signup(), signup()]);
    const open = await auction(s, category_id, { buy_now_price: 7000 });
    expect(
      (await call("POST", `/auctions/${open.product_id}/buy-now`, { token: s.access_token, body: {} })).status,
    ).toBe(403);
    const bought = await call("POST", `/auctions/${open.product_id}/buy-now`, { token: a.access_token, body: {} });
    expect(bought.status, await bought.clone().text()).toBe(201);
    expect(await json(bought)).toMatchObject({
      status: "pending_payment",
      total_amount: 7000,
      user_id: a.user.user_id,
    });
    expect(await state(open.product_id)).toMatchObject({ status: "ended", outcome: "bought_now", current_price: 7000 });
    expect(
      (await call("POST", `/auctions/${open.product_id}/buy-now`, { token: b.access_token, body: {} })).status,
    ).toBe(409);
    expect((await bid(b, open.product_id, 8000)).status).toBe(409);

    const noReserve = await auction(s, category_id, { buy_now_price: 7000 });
    await bid(b, noReserve.product_id, 1000);
    expect(
      (await call("POST", `/auctions/${noReserve.product_id}/buy-now`, { token: a.access_token, body: {} })).status,
    ).toBe(409);

    const reserved = await auction(s, category_id, { reserve_price: 5000, buy_now_price: 7000 });
    await bid(b, reserved.product_id, 4000);
    const underReserve = await call("POST", `/auctions/${reserved.product_id}/buy-now`, {
      token: a.access_token,
      body: {},
    });
    expect(underReserve.status).toBe(201);
    const reached = await auction(s, category_id, { reserve_price: 5000, buy_now_price: 7000 });
    await bid(b, reached.product_id, 5000);
    expect(
      (await call("POST", `/auctions/${reached.product_id}/buy-now`, { token: a.access_token, body: {} })).status,
    ).toBe(409);
    const none = await auction(s, category_id);
    expect(
      (await call("POST", `/auctions/${none.product_id}/buy-now`, { token: a.access_token, body: {} })).status,
    ).toBe(409);
  });

  it("cancels an unpaid winner after 48 h; the seller then offers it to the runner-up at their maximum", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id);
    const [a, b, other] = await Promise.all([signup(), signup(), signup({ role: "seller" })]);
    await bid(b, product_id, 3000);
    await bid(a, product_id, 6000);
    await closeNow(product_id);
    const won = (await json(await call("GET", "/orders", { token: a.access_token }))).data[0];
    expect(won.total_amount).toBe(3100);
    // Not yet: the winner can still pay.
    expect((await call("POST", `/auctions/${product_id}/second-chance`, { token: s.access_token })).status).toBe(409);
    expect(await sweepUnpaidOrders(env, Date.now() + 47 * 3600_000)).toBe(0);
    expect(await sweepUnpaidOrders(env, Date.now() + 49 * 3600_000)).toBeGreaterThanOrEqual(1);
    expect((await json(await call("GET", `/orders/${won.order_id}`, { token: a.access_token }))).status).toBe(
      "cancelled",
    );
    expect((await json(await call("GET", `/inventory/${product_id}`, { token: s.access_token }))).stock_available).toBe(
      1,
    );
    expect((await call("POST", `/auctions/${product_id}/second-chance`, { token: other.access_token })).status).toBe(
      403,
    );
    const offer = await call("POST", `/auctions/${product_id}/second-chance`, { token: s.access_token });
    expect(offer.status, await offer.clone().text()).toBe(201);
    const order = await json(offer);
    expect(order).toMatchObject({ user_id: b.user.user_id, status: "pending_payment", total_amount: 3000 });
    expect((await call("POST", `/auctions/${product_id}/second-chance`, { token: s.access_token })).status).toBe(409);
    const paid = await call("POST", "/payments/pay", {
      token: b.access_token,
      body: { order_id: order.order_id, payment_method: "pm_card_visa" },
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    await vi.waitFor(
      async () => {
        const inbox = await json(await call("GET", "/notifications", { token: b.access_token }));
        expect(inbox.data.map((n: any) => n.kind)).toContain("auction_won");
      },
      { timeout: 8000, interval: 200 },
    );
  });

  it("a 200-bidder race at the close: one winner, the model's price, nothing accepted after the end", async () => {
    const { seller: s, category_id } = await seller();
    const { product_id } = await auction(s, category_id, { start_price: 100 });
    const bidders = await Promise.all(Array.from({ length: 20 }, () => signup()));
    const stubbed = objectOf(product_id);
    // 200 bids from 20 bidders straight at the object (the route adds only the checks tested above), all at once.
    const attempts = Array.from({ length: 200 }, (_, i) => ({
      bidder: bidders[i % 20].user.user_id,
      max: 100 + Math.floor(Math.random() * 50_000),
    }));
    const results = await Promise.all(
      attempts.map((b) => stubbed.bid(product_id, { bidderId: b.bidder, maxAmount: b.max, idem: null, address: null })),
    );
    // The close comes while a second wave is in flight: none of it may land after the end.
    await endAt(product_id, Date.now() - 1);
    const lateWave = await Promise.all(
      attempts
        .slice(0, 50)
        .map((b) =>
          stubbed.bid(product_id, { bidderId: b.bidder, maxAmount: b.max + 100_000, idem: null, address: null }),
        ),
    );
    expect(lateWave.every((r) => !r.ok && r.code === "auction_ended")).toBe(true);
    await runDurableObjectAlarm(stubbed);
    const accepted = await runInDurableObject(stubbed, (_o, ctx) =>
      ctx.storage.sql
        .exec<{ bidder_id: string; max_amount: number }>("SELECT bidder_id, max_amount FROM bids ORDER BY seq")
        .toArray(),
    );
    expect(accepted.length).toBe(results.filter((r) => r.ok).length);
    const model = modelPrice(
      accepted.map((r) => ({ bidder: r.bidder_id, max: r.max_amount })),
      100,
    );
    const final = await state(product_id);
    expect(final).toMatchObject({
      status: "ended",
      outcome: "sold",
      current_price: model.price,
      bid_count: accepted.length,
    });
    const orders = await Promise.all(
      bidders.map(async (u) => (await json(await call("GET", "/orders", { token: u.access_token }))).data.length),
    );
    expect(orders.reduce((a, n) => a + n, 0)).toBe(1);
    expect(orders[bidders.findIndex((u) => u.user.user_id === model.leader)]).toBe(1);
  });
});

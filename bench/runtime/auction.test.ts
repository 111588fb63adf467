// Runs inside workerd (vitest + @cloudflare/vitest-plugin), started by bench/run.mjs: the
// auction rows of the bench, through the Worker's own fetch handler with no HTTP in front.
//  - bids per second on one auction at 64 concurrent bidders, against a 404 through the same middleware;
//  - fan-out: from an accepted bid until each of 1,000 WebSocket watchers has the message;
//  - a 200-bidder race at the close: one winner, the rule's price, nothing accepted after the end.
// Each prints one BENCH_RESULT line (kind "auction").
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { standing } from "../../src/services/auctions/rules";
import { call, percentile as pct, run, token } from "./harness";

const BIDDERS = 64;
const BIDS = Number(env.BENCH_BIDS ?? 3000);
const WATCHERS = 1000;
const FANOUT_BIDS = 20;

async function listing(seller: string, category_id: string, start_price: number) {
  const res = await call("POST", "/products", seller, {
    name: `Bench lot ${Math.random().toString(36).slice(2)}`,
    description: "bench",
    category_id,
    auction: { start_price, ends_at: new Date(Date.now() + 2 * 24 * 3600_000).toISOString() },
  });
  expect(res.status).toBe(201);
  return (await res.json<{ product_id: string }>()).product_id;
}

it("auction rows: bids per second, WebSocket fan-out, the race at the close", async () => {
  const suffix = Date.now().toString(36).toUpperCase().padStart(10, "0");
  const seller = await token(`usr_BENCHAUCSELL${suffix}`.padEnd(30, "0").slice(0, 30), "seller");
  const admin = await token(`usr_BENCHAUCADMN${suffix}`.padEnd(30, "0").slice(0, 30), "admin");
  const cat = await (await call("POST", "/categories", admin, { name: `Bench auctions ${suffix}` })).json<{
    category_id: string;
  }>();
  const bidders = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      token(`usr_BID${String(i).padStart(5, "0")}${suffix}`.padEnd(30, "0").slice(0, 30), "buyer"),
    ),
  );

  // 1. Bids per second on one listing, 64 bidders at once. Maxima climb by more than two
  //    increments a bid, so a bid that arrives in order is accepted; one overtaken by a later,
  //    higher bid is answered 409 bid_too_low. Both are answered bids.
  const hot = await listing(seller, cat.category_id, 100);
  await run(300, 16, () => call("GET", "/no-such-route").then((r) => (r.body?.cancel(), r.status)));
  const notFound = await run(3000, BIDDERS, () =>
    call("GET", "/no-such-route").then((r) => (r.body?.cancel(), r.status)),
  );
  const bids = await run(BIDS, BIDDERS, (k) =>
    call("POST", `/auctions/${hot}/bids`, bidders[k % BIDDERS], { max_amount: 1000 + k * 6000 }).then(
      (r) => (r.body?.cancel(), r.status),
    ),
  );
  expect((bids.codes[201] ?? 0) + (bids.codes[409] ?? 0)).toBe(BIDS);
  const hotState = await (await call("GET", `/auctions/${hot}`)).json<{ bid_count: number }>();
  expect(hotState.bid_count).toBe(bids.codes[201]);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ kind: "auction", name: "POST /auctions/{id}/bids, one listing", connections: BIDDERS, rps: bids.rps, ratio: bids.rps / notFound.rps, p50: bids.p50, p99: bids.p99, accepted: bids.codes[201] })}`,
  );

  // 2. Fan-out: 1,000 watchers on one listing; each bid's message timed at every watcher.
  const watched = await listing(seller, cat.category_id, 100);
  const sockets = await Promise.all(
    Array.from({ length: WATCHERS }, async () => {
      const res = await exports.default.fetch(
        new Request(`http://bench.local/auctions/${watched}/live`, { headers: { upgrade: "websocket" } }),
      );
      expect(res.status).toBe(101);
      const ws = res.webSocket!;
      ws.accept();
      return ws;
    }),
  );
  const perWatcher: number[] = [];
  const allHaveIt: number[] = [];
  for (let b = 0; b < FANOUT_BIDS; b++) {
    const got = sockets.map(
      (ws) =>
        new Promise<number>((resolve) => {
          const on = () => {
            ws.removeEventListener("message", on);
            resolve(Date.now());
          };
          ws.addEventListener("message", on);
        }),
    );
    const sent = Date.now();
    const res = await call("POST", `/auctions/${watched}/bids`, bidders[b % 2], { max_amount: 1000 + b * 6000 });
    expect(res.status).toBe(201);
    const times = await Promise.all(got);
    for (const t of times) perWatcher.push(t - sent);
    allHaveIt.push(Math.max(...times) - sent);
  }
  for (const ws of sockets) ws.close();
  perWatcher.sort((a, b) => a - b);
  allHaveIt.sort((a, b) => a - b);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ kind: "auction", name: `bid to ${WATCHERS} WebSocket watchers`, connections: WATCHERS, rps: NaN, ratio: NaN, p50: pct(perWatcher, 0.5), p99: pct(perWatcher, 0.99), all_p50: pct(allHaveIt, 0.5), all_p99: pct(allHaveIt, 0.99) })}`,
  );

  // 3. The race at the close: 200 bidders at once, the end comes during a second wave.
  const race = await listing(seller, cat.category_id, 100);
  const maxima = bidders.map(() => 100 + Math.floor(Math.random() * 100_000));
  const t0 = Date.now();
  const first = await Promise.all(
    bidders.map((b, i) =>
      call("POST", `/auctions/${race}/bids`, b, { max_amount: maxima[i] }).then((r) => (r.body?.cancel(), r.status)),
    ),
  );
  const object = env.AUCTION.get(env.AUCTION.idFromName(race));
  await runInDurableObject(object, async (_o, ctx) => {
    ctx.storage.sql.exec("UPDATE meta SET ends_at = ? WHERE id = 1", Date.now() - 1);
  });
  const late = await Promise.all(
    bidders.map((b, i) =>
      call("POST", `/auctions/${race}/bids`, b, { max_amount: maxima[i] + 200_000 }).then(
        (r) => (r.body?.cancel(), r.status),
      ),
    ),
  );
  await runDurableObjectAlarm(object);
  const seconds = (Date.now() - t0) / 1000;
  const accepted = await runInDurableObject(object, (_o, ctx) =>
    ctx.storage.sql
      .exec<{ seq: number; bidder_id: string; max_amount: number }>(
        "SELECT seq, bidder_id, max_amount FROM bids ORDER BY seq",
      )
      .toArray(),
  );
  const rule = standing(
    accepted.map((r) => ({ seq: r.seq, bidderId: r.bidder_id, maxAmount: r.max_amount })),
    100,
  );
  const final = await (await call("GET", `/auctions/${race}`)).json<{
    status: string;
    outcome: string;
    current_price: number;
  }>();
  const winners = final.outcome === "sold" ? 1 : 0;
  const afterEnd = late.filter((s) => s !== 409).length;
  expect(final.current_price).toBe(rule.currentPrice);
  expect(afterEnd).toBe(0);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ kind: "auction", invariant: true, name: "200-bidder race at the close", bids: 400, seconds, accepted: accepted.length, first_wave_201: first.filter((s) => s === 201).length, winners, price: final.current_price, rule_price: rule.currentPrice, accepted_after_end: afterEnd })}`,
  );
});

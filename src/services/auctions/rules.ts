/**
 * The auction's rules as pure functions (API.md, Auctions): the increment table, proxy
 * bidding, the minimum next bid, anti-sniping. The AuctionObject applies them to its stored
 * bids; the tests check them against an independent model.
 */

/** Increments in cents by current price: [below this price, the step]. At 100,000 and above: 2,500. */
const INCREMENTS: readonly (readonly [number, number])[] = [
  [100, 5],
  [500, 25],
  [2_500, 50],
  [10_000, 100],
  [25_000, 250],
  [50_000, 500],
  [100_000, 1_000],
];
const TOP_INCREMENT = 2_500;

export function increment(price: number): number {
  for (const [below, step] of INCREMENTS) if (price < below) return step;
  return TOP_INCREMENT;
}

/** A bid in the order it was accepted (`seq` breaks ties: the earlier bid wins). */
export interface PlacedBid {
  seq: number;
  bidderId: string;
  maxAmount: number;
}

export interface Standing {
  /** The leading bidder's best bid (null: no bids). */
  leader: PlacedBid | null;
  /** The best bid of anyone else (null: one bidder or none). */
  runnerUp: PlacedBid | null;
  currentPrice: number;
}

/**
 * Proxy bidding: each bidder's best maximum counts (their earliest bid of that amount for a
 * tie). The leader has the highest maximum; the price is the lowest amount that beats every
 * other maximum by one increment, never above the leader's maximum; the first bid sets it to
 * the start price.
 */
export function standing(bids: readonly PlacedBid[], startPrice: number): Standing {
  const best = new Map<string, PlacedBid>();
  for (const b of bids) {
    const prev = best.get(b.bidderId);
    if (!prev || b.maxAmount > prev.maxAmount) best.set(b.bidderId, b);
  }
  const ranked = [...best.values()].sort((a, b) => b.maxAmount - a.maxAmount || a.seq - b.seq);
  const leader = ranked[0] ?? null;
  const runnerUp = ranked[1] ?? null;
  if (!leader) return { leader, runnerUp, currentPrice: startPrice };
  if (!runnerUp) return { leader, runnerUp, currentPrice: startPrice };
  const price = Math.min(leader.maxAmount, runnerUp.maxAmount + increment(runnerUp.maxAmount));
  return { leader, runnerUp, currentPrice: Math.max(startPrice, price) };
}

/** The least a new maximum may be: the start price before any bid, then the price plus one increment. */
export function nextMinimum(bidCount: number, currentPrice: number): number {
  return bidCount === 0 ? currentPrice : currentPrice + increment(currentPrice);
}

/** Anti-sniping: a bid this close to the end moves the end to this long after the bid. */
const SNIPE_WINDOW_MS = 120_000;

export function endAfterBid(endsAt: number, bidAt: number): number {
  return endsAt - bidAt <= SNIPE_WINDOW_MS ? Math.max(endsAt, bidAt + SNIPE_WINDOW_MS) : endsAt;
}

/** Whether the reserve is met: no reserve, or the leader's maximum reaches it. */
export function reserveMet(reservePrice: number | null, leader: PlacedBid | null): boolean {
  if (reservePrice === null) return true;
  return !!leader && leader.maxAmount >= reservePrice;
}

/**
 * Buy it now is open while no bid has reached the reserve, or (without a reserve) while there
 * is no bid at all.
 */
export function buyNowOpen(buyNowPrice: number | null, reservePrice: number | null, leader: PlacedBid | null): boolean {
  if (buyNowPrice === null) return false;
  if (reservePrice === null) return leader === null;
  return !leader || leader.maxAmount < reservePrice;
}

/** An auction runs 1 to 10 days. */
export const MIN_DURATION_MS = 24 * 3600 * 1000;
export const MAX_DURATION_MS = 10 * 24 * 3600 * 1000;

/** How long a winner has to pay before the seller may offer the item to the runner-up. */
export const WINNER_PAY_WINDOW_MS = 48 * 3600 * 1000;

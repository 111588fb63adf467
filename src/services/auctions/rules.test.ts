import { describe, expect, it } from "vitest";
import { buyNowOpen, endAfterBid, increment, nextMinimum, reserveMet, standing } from "./rules";

const bid = (seq: number, bidderId: string, maxAmount: number) => ({ seq, bidderId, maxAmount });

describe("auction rules", () => {
  it("steps the increment at each band's edge", () => {
    expect([99, 100, 499, 500, 2_499, 2_500, 9_999, 10_000, 99_999, 100_000].map(increment)).toEqual([
      5, 25, 25, 50, 50, 100, 100, 250, 1_000, 2_500,
    ]);
  });

  it("prices one increment over the runner-up, capped at the leader's maximum, and never under the start", () => {
    expect(standing([], 1_000)).toEqual({ leader: null, runnerUp: null, currentPrice: 1_000 });
    expect(standing([bid(1, "a", 5_000)], 1_000).currentPrice).toBe(1_000);
    const two = standing([bid(1, "a", 5_000), bid(2, "b", 3_000)], 1_000);
    expect(two.leader?.bidderId).toBe("a");
    expect(two.currentPrice).toBe(3_100); // 3,000 is in the 100-cent band
    // The leader's maximum caps the price: 4,990 + 100 would pass 5,000.
    expect(standing([bid(1, "a", 5_000), bid(2, "b", 4_990)], 1_000).currentPrice).toBe(5_000);
  });

  it("lets the earlier of two equal maximums lead, and counts each bidder's best bid once", () => {
    const tie = standing([bid(1, "a", 4_000), bid(2, "b", 4_000)], 1_000);
    expect(tie.leader?.bidderId).toBe("a");
    expect(tie.currentPrice).toBe(4_000);
    // A bidder raising their own maximum does not bid against themselves.
    expect(standing([bid(1, "a", 2_000), bid(2, "a", 9_000)], 1_000)).toMatchObject({
      runnerUp: null,
      currentPrice: 1_000,
    });
  });

  it("asks the start price first, then one increment over the price", () => {
    expect(nextMinimum(0, 1_000)).toBe(1_000);
    expect(nextMinimum(3, 1_000)).toBe(1_050);
  });

  it("moves the end only for a bid inside the last two minutes", () => {
    const end = 1_000_000;
    expect(endAfterBid(end, end - 121_000)).toBe(end);
    expect(endAfterBid(end, end - 60_000)).toBe(end + 60_000);
  });

  it("keeps buy-now open until the reserve is met (or, with no reserve, until the first bid)", () => {
    expect(reserveMet(null, null)).toBe(true);
    expect(reserveMet(5_000, bid(1, "a", 4_999))).toBe(false);
    expect(reserveMet(5_000, bid(1, "a", 5_000))).toBe(true);
    expect(buyNowOpen(null, null, null)).toBe(false);
    expect(buyNowOpen(9_000, null, null)).toBe(true);
    expect(buyNowOpen(9_000, null, bid(1, "a", 1_000))).toBe(false);
    expect(buyNowOpen(9_000, 5_000, bid(1, "a", 4_000))).toBe(true);
    expect(buyNowOpen(9_000, 5_000, bid(1, "a", 6_000))).toBe(false);
  });
});

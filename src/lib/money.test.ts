import { describe, expect, it } from "vitest";
import { allocate, formatMinorUnits, lineTotal, percentOf, toMinorUnits } from "./money";

describe("money in minor units", () => {
  it("parses decimal amounts without floating point, and refuses what is not an amount", () => {
    expect(toMinorUnits("850.00")).toBe(85_000);
    expect(toMinorUnits("49.9")).toBe(4_990);
    expect(toMinorUnits("1,299.99")).toBe(129_999);
    expect(toMinorUnits(19.5)).toBe(1_950);
    expect(toMinorUnits("-3.07")).toBe(-307);
    for (const bad of ["", "1.234", "12,34.5.6", "abc", "1e3"]) expect(() => toMinorUnits(bad)).toThrow(RangeError);
  });

  it("formats for display", () => {
    expect([0, 5, 1_234, -1_234].map(formatMinorUnits)).toEqual(["0.00", "0.05", "12.34", "-12.34"]);
  });

  it("rounds a percentage half away from zero", () => {
    expect(percentOf(1_000, 12.5)).toBe(125);
    expect(percentOf(999, 10)).toBe(100); // 99.9
    expect(percentOf(995, 10)).toBe(100); // 99.5 rounds up
    expect(percentOf(-995, 10)).toBe(-100);
    expect(() => percentOf(10.5, 10)).toThrow(RangeError);
  });

  it("refuses a line total past the safe integers", () => {
    expect(lineTotal(1_999, 3)).toBe(5_997);
    expect(() => lineTotal(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
  });

  it("splits an amount so the parts add up exactly, the largest remainders taking the extra cents", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(1_000, [2_000, 1_000, 1_000])).toEqual([500, 250, 250]);
    expect(allocate(7, [0, 0])).toEqual([7, 0]);
    expect(allocate(5, [])).toEqual([]);
    for (const [amount, weights] of [
      [1_001, [3, 7, 11]],
      [9_999, [1, 2, 3, 4, 5]],
    ] as const)
      expect(allocate(amount, [...weights]).reduce((a, b) => a + b, 0)).toBe(amount);
  });
});

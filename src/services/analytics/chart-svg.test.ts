import { describe, expect, it } from "vitest";
import { daysBetween, niceMax, revenueChartSvg } from "./chart-svg";

describe("revenue chart", () => {
  it("has a bar for every day of the range, zero on days without sales", () => {
    const svg = revenueChartSvg("Revenue", { from: "2026-11-28", to: "2026-12-02" }, [
      { date: "2026-11-29", revenue: 12_345 },
      { date: "2026-12-01", revenue: 500 },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(5);
    expect(svg).toContain("<title>2026-11-28: $0.00</title>");
    expect(svg).toContain("<title>2026-11-29: $123.45</title>");
    expect(svg).toContain("Revenue: $128.45 from 2026-11-28 to 2026-12-02");
    // The tallest bar reaches the round axis maximum's share of the plot, none is negative.
    const heights = [...svg.matchAll(/height="([\d.]+)"><title>/g)].map((m) => Number(m[1]));
    expect(Math.min(...heights)).toBe(0);
    expect(Math.max(...heights)).toBeGreaterThan(0);
    expect(svg).not.toContain("style=");
  });

  it("escapes its title and stays well-formed with no data", () => {
    const svg = revenueChartSvg('<script>"x"</script>', { from: "2026-12-01", to: "2026-12-01" }, []);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&#60;script&#62;");
    expect(svg.match(/<rect /g)).toHaveLength(1);
  });

  it("counts days across month ends, inclusive, at most a year", () => {
    expect(daysBetween("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
    expect(daysBetween("2026-12-02", "2026-12-01")).toEqual([]);
    expect(daysBetween("2020-01-01", "2026-01-01")).toHaveLength(366);
  });

  it("rounds the axis up to 1, 2 or 5 times a power of ten", () => {
    expect(niceMax(0)).toBe(100);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12_345)).toBe(20_000);
    expect(niceMax(50_000)).toBe(50_000);
    expect(niceMax(50_001)).toBe(100_000);
  });
});

import { config, parseConfig, parseTaxCodes } from "../src/lib/config";
import { linePaid, refundTax, shippingBack } from "../src/services/payments/refund-tax";
import { describe, expect, it } from "vitest";
import { isId, newId } from "../src/lib/ids";
import { allocate, formatMinorUnits, lineTotal, percentOf, toMinorUnits } from "../src/lib/money";
import { decodeCursor, encodeCursor, toPage } from "../src/lib/pagination";

describe("ids", () => {
  it("are prefixed and sort by creation time", () => {
    const a = newId("order", 1_700_000_000_000);
    const b = newId("order", 1_700_000_000_001);
    expect(a).toMatch(/^ord_[0-9A-Z]{26}$/);
    expect(isId("order", a)).toBe(true);
    expect(isId("user", a)).toBe(false);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId("user"))).size).toBe(1000);
  });
});

describe("money", () => {
  it("parses decimal strings to cents exactly", () => {
    expect(toMinorUnits("850.00")).toBe(85000);
    expect(toMinorUnits("49.99")).toBe(4999);
    expect(toMinorUnits(0.29)).toBe(29);
    expect(toMinorUnits("1,299.5")).toBe(129950);
    expect(toMinorUnits("7")).toBe(700);
    expect(() => toMinorUnits("1.999")).toThrow(RangeError);
    expect(() => toMinorUnits("abc")).toThrow(RangeError);
  });

  it("formats, multiplies and takes percentages with integer results", () => {
    expect(formatMinorUnits(123456)).toBe("1234.56");
    expect(formatMinorUnits(-5)).toBe("-0.05");
    expect(lineTotal(4999, 3)).toBe(14997);
    expect(percentOf(999, 10)).toBe(100); // 99.9 rounds half up
    expect(percentOf(1005, 12.5)).toBe(126); // 125.625
    expect(() => lineTotal(10.5, 2)).toThrow(RangeError);
  });

  it("allocates an amount over weights so the parts sum exactly", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(1000, [4999, 2500, 1])).toEqual([667, 333, 0]);
    const parts = allocate(12345, [3, 7, 11, 13]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(12345);
  });
});

describe("cursors", () => {
  it("round-trip and pages report a next cursor only when more rows exist", () => {
    const c = encodeCursor(["2026-01-01T00:00:00.000Z", "prd_1"]);
    expect(decodeCursor(c, 2)).toEqual(["2026-01-01T00:00:00.000Z", "prd_1"]);
    expect(() => decodeCursor(c, 1)).toThrow();
    expect(() => decodeCursor("%%%", 1)).toThrow();
    expect(toPage([1, 2, 3], 2, (n) => [n]).next_cursor).toBe(encodeCursor([2]));
    expect(toPage([1, 2], 2, (n) => [n]).next_cursor).toBeNull();
  });
});

describe("refundTax: the tax inside a refund", () => {
  const item = (price: number, quantity: number, tax: number, discount = 0) => ({ price, quantity, discount, tax });
  const salesTax = { taxTotal: 455, taxIncluded: 0, totalAmount: 8755 };
  it("a refund of exactly some lines' cost returns exactly their tax; part of it, its share rounded down", () => {
    const b = item(3000, 1, 195);
    expect(linePaid(salesTax, b)).toBe(3195);
    expect(refundTax(salesTax, 3195, [b])).toEqual({ added: 195, included: 0 });
    expect(refundTax(salesTax, 1597, [b])).toEqual({ added: 97, included: 0 });
    expect(refundTax(salesTax, 1000, [item(2000, 2, 260), b])).toEqual({ added: 61, included: 0 });
  });
  it("VAT is inside the price: a line costs its price, and the refund's VAT is reported as included", () => {
    const vat = { taxTotal: 0, taxIncluded: 479, totalAmount: 3000 };
    const line = item(3000, 1, 479);
    expect(linePaid(vat, line)).toBe(3000);
    expect(refundTax(vat, 3000, [line])).toEqual({ added: 0, included: 479 });
  });
  it("a whole-order refund returns the order's tax in proportion to its total, never more than it charged", () => {
    expect(refundTax(salesTax, 8755)).toEqual({ added: 455, included: 0 });
    expect(refundTax(salesTax, 1000)).toEqual({ added: 51, included: 0 });
    expect(refundTax({ taxTotal: 0, taxIncluded: 0, totalAmount: 500 }, 500)).toEqual({ added: 0, included: 0 });
  });
  it("stays exact where a double's product would not (amounts near the platform's maximum)", () => {
    const big = { taxTotal: 9_999_999_999, taxIncluded: 0, totalAmount: 10_000_000_000 };
    expect(refundTax(big, 9_999_999_999)).toEqual({ added: 9_999_999_998, included: 0 });
  });
});

describe("shippingBack: a cancel gives a seller's shipping back when it leaves them nothing to ship", () => {
  const order = {
    discount: 0,
    shippingLines: [
      { seller_id: "A", option_id: "o1", name: "Std", amount: 500 },
      { seller_id: "B", option_id: "o2", name: "Ground", amount: 800 },
    ],
  };
  const items = [
    { id: "a1", sellerId: "A", status: "shipped" as const, discount: 0 },
    { id: "b1", sellerId: "B", status: "paid" as const, discount: 0 },
    { id: "b2", sellerId: "B", status: "cancelled" as const, discount: 0 },
  ];
  it("returns it for a seller whose every line is now gone, not for one who shipped", () => {
    expect(shippingBack(order, items, [{ id: "b1" }])).toEqual([{ seller_id: "B", amount: 800 }]);
    expect(
      shippingBack(
        order,
        [...items, { id: "b3", sellerId: "B", status: "paid" as const, discount: 0 }],
        [{ id: "b1" }],
      ),
    ).toEqual([]);
    expect(shippingBack(order, items, [{ id: "a1" }])).toEqual([{ seller_id: "A", amount: 500 }]);
  });
  it("returns what the buyer paid: a free-shipping coupon's share is not given back", () => {
    expect(shippingBack({ ...order, discount: 600 }, items, [{ id: "b1" }])).toEqual([{ seller_id: "B", amount: 700 }]);
    expect(shippingBack({ ...order, discount: 1300 }, items, [{ id: "b1" }])).toEqual([]);
  });
});

describe("config: the Worker's variables parsed once, into one typed object", () => {
  it("reads each variable, and a value that does not parse takes its default instead of failing every route", () => {
    const c = parseConfig({
      ORDER_SHARDS: "2",
      SEARCH_SHARDS: "8",
      PAYMENT_PROVIDER: "test",
      LIMIT_CHECKS: "on",
      EDGE_CACHE: "off",
      FX_RATES_URL: " ",
    });
    expect(c).toMatchObject({
      orderShards: 2,
      searchShards: 8,
      paymentProvider: "test",
      limitChecks: true,
      edgeCache: false,
      writeLimits: true,
      fxRatesUrl: null,
      taxProvider: "table",
    });
    const bad = parseConfig({
      ORDER_SHARDS: "zero",
      SEARCH_SHARDS: "1000",
      SIGNUP_LIMIT_PER_HOUR: "-3",
      PAYMENT_PROVIDER: "paypal",
      STRIPE_TAX_CODES: "{oops",
    });
    expect(bad).toMatchObject({
      orderShards: 1,
      searchShards: 4,
      signupLimitPerHour: 20,
      paymentProvider: "stripe",
      stripeTaxCodes: "{oops",
    });
    expect(() => parseTaxCodes(bad.stripeTaxCodes)).toThrow(/STRIPE_TAX_CODES/);
    expect(parseTaxCodes('{"food":"txcd_40060003"}')).toEqual({ food: "txcd_40060003" });
  });
  it("is parsed once per bindings object", () => {
    const env = { SEARCH_SHARDS: "2" };
    expect(config(env)).toBe(config(env));
    expect(config({ SEARCH_SHARDS: "2" })).not.toBe(config(env));
  });
});

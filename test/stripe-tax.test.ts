import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { StripeTaxProvider, tableTax, taxProvider } from "../src/services/tax";
import { StripeDouble } from "./stripe-double";

const california = { country: "US", region: "CA", postal_code: "90001", city: "Los Angeles", line1: "1 Main St" };
const berlin = { country: "DE", postal_code: "10117", city: "Berlin", line1: "Unter den Linden 1" };

function stripeTax(double: StripeDouble, codes?: Record<string, string>) {
  return new StripeTaxProvider("sk_test_double", tableTax, {
    apiBase: "http://127.0.0.1:9" /* never dialled: the double answers in-process */,
    fetchFn: double.fetch,
    codes,
  });
}

describe("Stripe Tax adapter (tax.calculations.create) against a wire-format double", () => {
  it("US sales tax is added on top, per line, for the shipping address", async () => {
    const double = new StripeDouble();
    const q = await stripeTax(double).quote(env, california, [
      { key: "a", amount: 4000 },
      { key: "b", amount: 3001 },
    ]);
    // 4000 × 7.25% = 290; 3001 × 7.25% = 217.57 → 218.
    expect(q).toEqual({ added: 508, included: 0, lines: { a: 290, b: 218 }, jurisdiction: "US-CA" });
    const sent = double.calls.find((c) => c.path === "/v1/tax/calculations")!;
    expect(sent.form).toMatchObject({
      currency: "usd",
      "line_items[0][amount]": "4000",
      "line_items[0][reference]": "a",
      "line_items[0][tax_behavior]": "exclusive",
      "line_items[0][tax_code]": "txcd_99999999",
      "customer_details[address][country]": "US",
      "customer_details[address][state]": "CA",
      "customer_details[address][postal_code]": "90001",
      "customer_details[address_source]": "shipping",
    });
  });

  it("VAT is contained in the prices of a country that shows gross prices; a book goes with its own tax code", async () => {
    const double = new StripeDouble();
    const q = await stripeTax(double).quote(
      env,
      berlin,
      [
        { key: "shirt", amount: 3000 },
        { key: "novel", amount: 2000, taxClass: "books" },
      ],
      "eur",
    );
    // 3000 × 19/119 = 478.99 → 479; 2000 × 7/107 = 130.84 → 131.
    expect(q).toEqual({ added: 0, included: 610, lines: { shirt: 479, novel: 131 }, jurisdiction: "DE" });
    const form = double.calls.find((c) => c.path === "/v1/tax/calculations")!.form;
    expect(form).toMatchObject({
      currency: "eur",
      "line_items[0][tax_behavior]": "inclusive",
      "line_items[1][tax_code]": "txcd_35010000",
    });
  });

  it("a cart of more lines than Stripe lists inline is read to its last line", async () => {
    const double = new StripeDouble();
    const lines = Array.from({ length: 25 }, (_, i) => ({ key: `l${i}`, amount: 1000 + i }));
    const q = await stripeTax(double).quote(env, { ...california, region: "WA", postal_code: "98101" }, lines);
    expect(Object.keys(q.lines)).toHaveLength(25);
    expect(q.lines.l24).toBe(67); // 1024 × 6.5% = 66.56, half up
  });

  it("answers a repeated cart from its cache, and uses the operator's codes for food", async () => {
    const double = new StripeDouble();
    const p = stripeTax(double, { food: "txcd_40060003" });
    const lines = [{ key: "bread", amount: 777, taxClass: "food" as const }];
    const a = await p.quote(env, california, lines);
    const b = await p.quote(env, california, lines);
    expect(b).toEqual(a);
    expect(double.calls.filter((c) => c.path === "/v1/tax/calculations")).toHaveLength(1);
    expect(double.calls[0].form["line_items[0][tax_code]"]).toBe("txcd_40060003");
  });

  it("when Stripe fails, the rate table answers (a checkout is not refused for a tax outage)", async () => {
    const double = new StripeDouble();
    double.failNext = 5;
    const lines = [{ key: "x", amount: 4321 }];
    const q = await stripeTax(double).quote(env, california, lines);
    expect(q).toEqual(await tableTax.quote(env, california, lines));
    expect(q.added).toBe(313); // 4321 × 7.25% = 313.27
  });
});

describe("the configured tax provider", () => {
  it("is the rate table unless TAX_PROVIDER is stripe, which needs its key and well-formed tax codes", () => {
    expect(taxProvider({ TAX_PROVIDER: "table" })).toBe(tableTax);
    expect(taxProvider({})).toBe(tableTax);
    expect(() => taxProvider({ TAX_PROVIDER: "stripe" })).toThrow(/STRIPE_SECRET_KEY/);
    const p = taxProvider({
      TAX_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: "sk_test_x",
      STRIPE_API_BASE: "http://127.0.0.1:9",
      STRIPE_TAX_CODES: "",
    });
    expect(p).toBeInstanceOf(StripeTaxProvider);
    expect(
      taxProvider({
        TAX_PROVIDER: "stripe",
        STRIPE_SECRET_KEY: "sk_test_x",
        STRIPE_API_BASE: "http://127.0.0.1:9",
        STRIPE_TAX_CODES: "",
      }),
    ).toBe(p);
    expect(() =>
      taxProvider({
        TAX_PROVIDER: "stripe",
        STRIPE_SECRET_KEY: "sk_test_y",
        STRIPE_API_BASE: "http://127.0.0.1:9",
        STRIPE_TAX_CODES: '{"food":"bread"}',
      }),
    ).toThrow(/STRIPE_TAX_CODES/);
  });
});

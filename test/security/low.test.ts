import { beforeAll, describe, expect, it } from "vitest";
import { toCsv } from "../../src/lib/csv";
import { call, createCategory, createProduct, json, signup, unique } from "../helpers";

let categoryId: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Low"))).category_id;
});

describe("CSV exports", () => {
  it("neutralises cells a spreadsheet would run as formulas, and keeps numbers numbers", () => {
    const csv = toCsv([
      {
        name: '=HYPERLINK("http://evil.example","x")',
        a: "+1",
        b: "-2+3",
        c: "@SUM(A1)",
        d: "\tTAB",
        n: -5,
        ok: "Lamp",
      },
    ]);
    const row = csv.split("\r\n")[1];
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(row).toContain("'+1");
    expect(row).toContain("'-2+3");
    expect(row).toContain("'@SUM(A1)");
    expect(row).toContain("'\tTAB");
    expect(row).toContain(",-5,");
    expect(row.endsWith(",Lamp")).toBe(true);
  });
});

describe("product images", () => {
  it.each([
    "javascript:alert(1)",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "http://127.0.0.1/a.jpg",
    "ftp://127.0.0.1/a.jpg",
  ])("refuses %s with 400 naming images", async (url) => {
    const seller = await signup({ role: "seller" });
    const res = await call("POST", "/products", {
      token: seller.access_token,
      body: { name: "Pic", description: "d", price: 100, category_id: categoryId, stock_available: 1, images: [url] },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details[0].field).toMatch(/^images/);
  });
});

describe("checkout with the total the buyer saw", () => {
  it("answers 409 price_changed when the price moved since, and holds nothing", async () => {
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, categoryId, { price: 1000, stock_available: 3 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const shown = (await json(await call("GET", "/cart", { token: buyer.access_token }))).total;
    expect(
      (await call("PATCH", `/products/${product.product_id}`, { token: seller.access_token, body: { price: 1500 } }))
        .status,
    ).toBe(200);
    const order = (expected_total: number) =>
      call("POST", "/orders", {
        token: buyer.access_token,
        body: { payment_method: "pm_card_visa", shipping_address: "1 Main St", expected_total },
        headers: { "idempotency-key": unique("k") },
      });
    const res = await order(shown);
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("price_changed");
    expect(
      (await json(await call("GET", `/inventory/${product.product_id}`, { token: seller.access_token })))
        .stock_available,
    ).toBe(3);
    expect((await order(1500)).status).toBe(201);
  });
});
